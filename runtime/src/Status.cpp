//===- Status.cpp - kiln_status_t: a code and a heap-allocated message ----===//

#include "runtime/src/Status.h"

#include <cstdlib>
#include <cstring>

struct kiln_status_s {
  kiln_status_code_t code;
  const char *message; // points just past the struct, same allocation
};

namespace {
/// Returned when a status cannot be allocated; kiln_status_free ignores it.
kiln_status_s outOfMemoryStatus = {KILN_STATUS_RESOURCE_EXHAUSTED,
                                   "out of memory while reporting an error"};
} // namespace

kiln_status_t kiln::rt::makeStatus(kiln_status_code_t code,
                                   const std::string &message) {
  void *block = std::malloc(sizeof(kiln_status_s) + message.size() + 1);
  if (!block)
    return &outOfMemoryStatus;
  auto *status = static_cast<kiln_status_s *>(block);
  char *text = reinterpret_cast<char *>(status + 1);
  std::memcpy(text, message.c_str(), message.size() + 1);
  status->code = code;
  status->message = text;
  return status;
}

kiln_status_code_t kiln_status_code(kiln_status_t status) {
  return status ? status->code : KILN_STATUS_OK;
}

const char *kiln_status_message(kiln_status_t status) {
  return status ? status->message : "OK";
}

const char *kiln_status_code_name(kiln_status_code_t code) {
  switch (code) {
  case KILN_STATUS_OK:
    return "OK";
  case KILN_STATUS_INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case KILN_STATUS_NOT_FOUND:
    return "NOT_FOUND";
  case KILN_STATUS_DATA_LOSS:
    return "DATA_LOSS";
  case KILN_STATUS_FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case KILN_STATUS_UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case KILN_STATUS_INTERNAL:
    return "INTERNAL";
  case KILN_STATUS_RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case KILN_STATUS_UNAVAILABLE:
    return "UNAVAILABLE";
  }
  return "UNKNOWN";
}

void kiln_status_free(kiln_status_t status) {
  if (status && status != &outOfMemoryStatus)
    std::free(status);
}
