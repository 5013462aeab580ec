//===- Tensor.cpp - host tensors of the reference interpreter -------------===//

#include "compiler/reference/Tensor.h"

#include "dialects/kiln/ScalarMath.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <cstring>

using namespace mlir;
using namespace kiln::reference;

SmallVector<int64_t> kiln::reference::stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

FailureOr<int64_t> kiln::reference::checkedCount(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || llvm::MulOverflow(n, d, n))
      return failure();
  return n;
}

static bool isKilnElement(Type t) {
  return t.isF16() || t.isBF16() || t.isF32() || t.isF64() ||
         t.isSignlessInteger(1) || t.isSignlessInteger(8) ||
         t.isSignlessInteger(32) || t.isSignlessInteger(64);
}

FailureOr<Tensor> Tensor::zeros(RankedTensorType type, Location loc) {
  if (!type || !type.hasStaticShape() || !isKilnElement(type.getElementType()))
    return emitError(loc) << "the reference interpreter does not support type "
                          << type;
  FailureOr<int64_t> n = checkedCount(type.getShape());
  if (failed(n) || *n > kMaxElements)
    return emitError(loc) << type << " is too large for the reference "
                          << "interpreter (limit " << kMaxElements
                          << " elements)";
  Tensor t;
  t.type = type;
  if (isa<FloatType>(type.getElementType()))
    t.floats.assign(*n, 0.0);
  else
    t.ints.assign(*n, 0);
  return t;
}

double kiln::reference::roundToType(Type element, double v) {
  if (element.isF64())
    return v;
  if (element.isF32())
    return static_cast<double>(static_cast<float>(v));
  APFloat x(v);
  bool lost;
  x.convert(cast<FloatType>(element).getFloatSemantics(),
            APFloat::rmNearestTiesToEven, &lost);
  x.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return x.convertToDouble();
}

void kiln::reference::normalize(Tensor &t) {
  Type element = t.elementType();
  if (t.isFloat()) {
    if (element.isF64())
      return;
    for (double &v : t.floats)
      v = roundToType(element, v);
    return;
  }
  unsigned bits = element.getIntOrFloatBitWidth();
  if (bits == 64)
    return;
  for (int64_t &v : t.ints)
    v = bits == 1 ? (v != 0) : kiln::scalar::wrapToWidth(v, bits);
}

int64_t kiln::reference::rawElementSize(Type element) {
  unsigned bits = element.getIntOrFloatBitWidth();
  return bits == 1 ? 1 : bits / 8;
}

FailureOr<Tensor> kiln::reference::tensorFromBytes(RankedTensorType type,
                                                   ArrayRef<char> bytes,
                                                   Location loc) {
  FailureOr<Tensor> t = Tensor::zeros(type, loc);
  if (failed(t))
    return failure();
  Type element = type.getElementType();
  int64_t esize = rawElementSize(element);
  int64_t n = t->size();
  if (static_cast<int64_t>(bytes.size()) != n * esize)
    return emitError(loc) << type << " needs " << n * esize
                          << " bytes of data, got " << bytes.size();
  const char *p = bytes.data();
  auto load = [&](int64_t k, auto &out) {
    std::memcpy(&out, p + k * esize, sizeof(out));
  };
  for (int64_t k = 0; k < n; ++k) {
    if (element.isF32()) {
      float v;
      load(k, v);
      t->floats[k] = v;
    } else if (element.isF64()) {
      double v;
      load(k, v);
      t->floats[k] = v;
    } else if (element.isF16() || element.isBF16()) {
      uint16_t bits;
      load(k, bits);
      APFloat v(cast<FloatType>(element).getFloatSemantics(), APInt(16, bits));
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      t->floats[k] = v.convertToDouble();
    } else if (element.isInteger(1)) {
      uint8_t v;
      load(k, v);
      if (v > 1)
        return emitError(loc) << "boolean element " << k << " has byte value "
                              << static_cast<int>(v) << " (expected 0 or 1)";
      t->ints[k] = v;
    } else if (element.isInteger(8)) {
      int8_t v;
      load(k, v);
      t->ints[k] = v;
    } else if (element.isInteger(32)) {
      int32_t v;
      load(k, v);
      t->ints[k] = v;
    } else {
      int64_t v;
      load(k, v);
      t->ints[k] = v;
    }
  }
  return t;
}

std::vector<uint8_t> kiln::reference::tensorToBytes(const Tensor &t) {
  Type element = t.elementType();
  int64_t esize = rawElementSize(element);
  std::vector<uint8_t> out(static_cast<size_t>(t.size() * esize));
  uint8_t *p = out.data();
  auto store = [&](int64_t k, auto v) { std::memcpy(p + k * esize, &v, sizeof(v)); };
  for (int64_t k = 0, n = t.size(); k < n; ++k) {
    if (element.isF32()) {
      store(k, static_cast<float>(t.floats[k]));
    } else if (element.isF64()) {
      store(k, t.floats[k]);
    } else if (element.isF16() || element.isBF16()) {
      APFloat v(t.floats[k]);
      bool lost;
      v.convert(cast<FloatType>(element).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      store(k, static_cast<uint16_t>(v.bitcastToAPInt().getZExtValue()));
    } else if (element.isInteger(1) || element.isInteger(8)) {
      store(k, static_cast<int8_t>(t.ints[k]));
    } else if (element.isInteger(32)) {
      store(k, static_cast<int32_t>(t.ints[k]));
    } else {
      store(k, t.ints[k]);
    }
  }
  return out;
}

FailureOr<Tensor> kiln::reference::tensorFromAttr(ElementsAttr attr,
                                                  Location loc) {
  auto type = dyn_cast<RankedTensorType>(attr.getShapedType());
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return emitError(loc) << "dense_resource '"
                            << resource.getRawHandle().getKey()
                            << "' has no data (missing from the file's "
                               "dialect_resources section?)";
    return tensorFromBytes(type, blob->getData(), loc);
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return emitError(loc) << "unsupported constant attribute " << attr;
  FailureOr<Tensor> t = Tensor::zeros(type, loc);
  if (failed(t))
    return failure();
  if (t->isFloat()) {
    size_t k = 0;
    for (APFloat v : dense.getValues<APFloat>()) {
      bool lost;
      v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
      t->floats[k++] = v.convertToDouble();
    }
  } else {
    bool isBool = type.getElementType().isInteger(1);
    size_t k = 0;
    for (const APInt &v : dense.getValues<APInt>())
      t->ints[k++] = isBool ? static_cast<int64_t>(v.getZExtValue())
                            : v.getSExtValue();
  }
  return t;
}

ElementsAttr kiln::reference::tensorToAttr(const Tensor &t, StringRef name) {
  RankedTensorType type = t.type;
  Type element = type.getElementType();
  // Equal bits, not equal values: +0.0 and -0.0 (and NaN payloads) differ.
  bool splat = t.size() > 0 &&
               (t.isFloat() ? llvm::all_of(t.floats,
                                           [&](double v) {
                                             return llvm::bit_cast<uint64_t>(v) ==
                                                    llvm::bit_cast<uint64_t>(t.floats[0]);
                                           })
                            : llvm::all_equal(t.ints));
  if (splat) {
    Attribute scalar;
    if (auto ft = dyn_cast<FloatType>(element)) {
      APFloat f(t.floats[0]);
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      scalar = FloatAttr::get(element, f);
    } else if (element.isInteger(1)) {
      scalar = BoolAttr::get(type.getContext(), t.ints[0] != 0);
    } else {
      scalar = IntegerAttr::get(element, t.ints[0]);
    }
    return DenseElementsAttr::get(type, scalar);
  }
  if (t.size() > 16 && !element.isInteger(1)) {
    std::vector<uint8_t> bytes = tensorToBytes(t);
    ArrayRef<char> raw(reinterpret_cast<const char *>(bytes.data()),
                       bytes.size());
    auto blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        raw, alignof(uint64_t));
    return DenseResourceElementsAttr::get(type, name, std::move(blob));
  }
  if (auto ft = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    values.reserve(t.floats.size());
    for (double v : t.floats) {
      APFloat f(v);
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    return DenseElementsAttr::get(type, values);
  }
  if (element.isInteger(1)) {
    SmallVector<bool> values(t.ints.begin(), t.ints.end());
    return DenseElementsAttr::get(type, values);
  }
  unsigned width = element.getIntOrFloatBitWidth();
  SmallVector<APInt> values;
  values.reserve(t.ints.size());
  for (int64_t v : t.ints)
    values.push_back(APInt(width, static_cast<uint64_t>(v), /*isSigned=*/true));
  return DenseElementsAttr::get(type, values);
}

