//===- KilnDialect.cpp - registration of the kiln dialect -----------------===//

#include "dialects/kiln/KilnDialect.h"

using namespace mlir;

#include "dialects/kiln/KilnDialect.cpp.inc"

void kiln::KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/kiln/KilnOps.cpp.inc"
      >();
  registerGradientRules(getContext());
}

Operation *kiln::KilnDialect::materializeConstant(OpBuilder &builder,
                                                  Attribute value, Type type,
                                                  Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}
