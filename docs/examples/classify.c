/* classify.c - run a Kiln artifact's first function on one f32 input and
 * print the argmax of each row of its first output.
 *
 *   classify model.so input.npy     (a little-endian f32 .npy, or raw f32)
 */
#include <kiln/runtime.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(kiln_status_t status) {
  fprintf(stderr, "error: %s\n", kiln_status_message(status));
  kiln_status_free(status);
  return 2;
}

static void print_tensor(const kiln_tensor_info_t *t) {
  printf("%s: %s[", t->name, kiln_dtype_name(t->dtype));
  for (uint32_t d = 0; d < t->rank; ++d)
    printf(d ? ",%lld" : "%lld", (long long)t->dims[d]);
  printf("]");
}

/* Reads `size` bytes of data from a .npy file (after its header) or, without
 * the .npy magic, from a raw file. Returns NULL if the sizes differ. */
static void *read_input(const char *path, uint64_t size) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  unsigned char head[12];
  long data = 0;
  if (fread(head, 1, 12, f) == 12 && memcmp(head, "\x93NUMPY", 6) == 0)
    data = head[6] == 1 ? 10 + (head[8] | head[9] << 8)
                        : 12 + (head[8] | head[9] << 8 | head[10] << 16);
  fseek(f, 0, SEEK_END);
  void *buffer = ftell(f) - data == (long)size ? malloc(size ? size : 1) : NULL;
  fseek(f, data, SEEK_SET);
  if (buffer && fread(buffer, 1, size, f) != size) {
    free(buffer);
    buffer = NULL;
  }
  fclose(f);
  return buffer;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: classify MODEL.so INPUT.npy\n");
    return 2;
  }
  kiln_module_t *module = NULL;
  kiln_status_t status = kiln_module_load_file(argv[1], NULL, &module);
  if (status)
    return fail(status);
  kiln_function_info_t fn;
  if ((status = kiln_module_function_info(module, 0, &fn)))
    return fail(status);
  printf("%s(", fn.name);
  for (size_t i = 0; i < fn.num_inputs; ++i) {
    fputs(i ? ", " : "", stdout);
    print_tensor(&fn.inputs[i]);
  }
  printf(") -> (");
  for (size_t i = 0; i < fn.num_outputs; ++i) {
    fputs(i ? ", " : "", stdout);
    print_tensor(&fn.outputs[i]);
  }
  printf(")\n");
  const kiln_tensor_info_t *in = &fn.inputs[0], *out = &fn.outputs[0];
  if (fn.num_inputs != 1 || in->dtype != KILN_DTYPE_F32 ||
      out->dtype != KILN_DTYPE_F32 || out->rank == 0) {
    fprintf(stderr, "error: classify needs one f32 input and f32 scores\n");
    return 2;
  }

  kiln_tensor_t input = {in->dtype, in->rank, in->dims, NULL, in->byte_size};
  if (!(input.data = read_input(argv[2], in->byte_size))) {
    fprintf(stderr, "error: %s: cannot read %llu bytes of f32 input\n", argv[2],
            (unsigned long long)in->byte_size);
    return 2;
  }
  kiln_tensor_t *outputs = calloc(fn.num_outputs, sizeof(kiln_tensor_t));
  for (size_t i = 0; i < fn.num_outputs; ++i) {
    const kiln_tensor_info_t *o = &fn.outputs[i];
    kiln_tensor_t t = {o->dtype, o->rank, o->dims, malloc(o->byte_size + 1),
                       o->byte_size};
    outputs[i] = t;
  }

  kiln_session_t *session = NULL;
  status = kiln_session_create(module, NULL, &session);
  if (!status)
    status =
        kiln_session_invoke(session, 0, &input, 1, outputs, fn.num_outputs);
  if (status)
    return fail(status);

  const float *scores = outputs[0].data;
  uint64_t classes = (uint64_t)out->dims[out->rank - 1];
  for (uint64_t row = 0; classes && row < out->element_count / classes; ++row) {
    uint64_t best = 0;
    for (uint64_t c = 1; c < classes; ++c)
      if (scores[row * classes + c] > scores[row * classes + best])
        best = c;
    printf("row %llu: class %llu (score %g)\n", (unsigned long long)row,
           (unsigned long long)best, scores[row * classes + best]);
  }

  for (size_t i = 0; i < fn.num_outputs; ++i)
    free(outputs[i].data);
  free(outputs);
  free(input.data);
  kiln_session_release(session);
  kiln_module_release(module);
  return 0;
}
