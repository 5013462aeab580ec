//===- RandomGraph.h - seeded random kiln functions for difftests ---------===//
//
// Builds small random kiln-dialect functions (chains of 2-8 layers drawn
// from a table of op generators) together with their inputs. While a
// function is built, every op is evaluated on the inputs with the reference
// interpreter, so generators see the actual values and can keep the graph
// numerically well conditioned: logarithms only see positive values,
// comparisons and argmax only see operands that no rounding difference can
// flip, exponentials only see bounded arguments.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TEST_COMPILER_RANDOMGRAPH_H
#define KILN_TEST_COMPILER_RANDOMGRAPH_H

#include "compiler/reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"

#include <random>
#include <set>
#include <string>
#include <vector>

namespace kiln::difftest {

/// Op categories, one bit each: a category is generated only when enabled
/// (so one that does not lower yet can be switched off).
enum Category : unsigned {
  kElementwise = 1u << 0,
  kLinear = 1u << 1, // matmul, conv2d
  kPooling = 1u << 2,
  kReduction = 1u << 3, // reduce_*, argmax/argmin, softmax, log_softmax
  kNormalization = 1u << 4,
  kDataMovement = 1u << 5,
  kControl = 1u << 6, // scan
  kAllCategories = (1u << 7) - 1,
};

/// Parses a comma-separated list of category names ("elementwise,linear");
/// "all" enables every category. Returns false on an unknown name.
bool parseCategories(llvm::StringRef list, unsigned &mask);
llvm::StringRef categoryName(Category c);

/// How closely compiled code must match the reference on a function's
/// outputs; the loosest class of any op in the function applies.
enum class TolClass {
  /// Arithmetic, data movement, comparisons: rounding differs at most by an
  /// ulp or so per op.
  Elementwise = 0,
  /// exp, log, tanh, erf, ... : polynomial approximations in generated code.
  Transcendental = 1,
  /// matmul, conv, reductions, softmax, normalization: another summation
  /// order.
  Accumulation = 2,
};

/// Absolute and relative tolerance of a class: |got - ref| <= atol +
/// rtol·|ref|.
struct Tolerance {
  double atol, rtol;
};
Tolerance toleranceOf(TolClass c);
llvm::StringRef tolClassName(TolClass c);

/// A generated function with its inputs.
struct GeneratedFunction {
  uint64_t seed = 0;
  mlir::func::FuncOp func;
  std::vector<reference::Tensor> inputs;
  TolClass tolerance = TolClass::Elementwise;
  /// The op generators applied, in order (for coverage statistics).
  std::vector<std::string> layers;
  bool nanInputs = false;
};

/// What may be generated.
struct GeneratorConfig {
  unsigned categories = kAllCategories;
  /// Op generators (by name) and result forms ("return_input",
  /// "return_twice") left out.
  std::set<std::string> skip;
};

/// Generates one function named `name` at the end of `module`'s body from
/// `seed` alone (the same seed and configuration give the same function).
GeneratedFunction generateFunction(mlir::ModuleOp module, llvm::StringRef name,
                                   uint64_t seed,
                                   const GeneratorConfig &config);

/// The names of all op generators of the enabled categories.
std::vector<std::string> generatorNames(unsigned categories);

//===----------------------------------------------------------------------===//
// The builder the op generators use
//===----------------------------------------------------------------------===//

/// A value of the function being built. `exact` values are bit-identical in
/// the reference and in compiled code (inputs, constants and what exact ops
/// such as data movement, max, neg or select make of them).
struct Val {
  mlir::Value value;
  bool exact = false;

  mlir::RankedTensorType type() const {
    return mlir::cast<mlir::RankedTensorType>(value.getType());
  }
  llvm::ArrayRef<int64_t> shape() const { return type().getShape(); }
  int64_t rank() const { return type().getRank(); }
  mlir::Type element() const { return type().getElementType(); }
  bool isFloat() const { return mlir::isa<mlir::FloatType>(element()); }
  bool isBool() const { return element().isInteger(1); }
  bool isInt() const { return !isFloat() && !isBool(); }
  int64_t numElements() const { return type().getNumElements(); }
};

/// The range random data is drawn from: uniform reals in [lo, hi] for
/// floats, uniform integers in [lo, hi] for integers, fair coins for i1.
struct Dist {
  double lo = -1, hi = 1;
};

/// Summary of a float value's finite elements.
struct Stats {
  double min = 0, max = 0, maxAbs = 0, minAbs = 0;
  bool hasNaN = false, hasInf = false;
};

class FunctionGen {
public:
  FunctionGen(mlir::ModuleOp module, llvm::StringRef name, uint64_t seed);

  //--- randomness
  int64_t uniform(int64_t lo, int64_t hi); // inclusive
  double real(double lo, double hi);
  bool coin(double p);
  template <typename T> T pick(std::initializer_list<T> options) {
    return options
        .begin()[uniform(0, static_cast<int64_t>(options.size()) - 1)];
  }

  //--- types
  mlir::RankedTensorType tensorType(llvm::ArrayRef<int64_t> shape,
                                    mlir::Type element) {
    return mlir::RankedTensorType::get(shape, element);
  }
  mlir::Type f32() { return b.getF32Type(); }

  //--- leaves
  /// A new function argument with random data.
  Val arg(mlir::RankedTensorType type, Dist dist);
  /// A new function argument holding `data`.
  Val argFrom(reference::Tensor data);
  /// A kiln.constant with random data (inline dense, or a dense_resource
  /// blob, as importers write weights).
  Val constant(mlir::RankedTensorType type, Dist dist);
  Val constantFrom(reference::Tensor data);
  /// An argument or a constant (weights are mostly constants).
  Val leaf(mlir::RankedTensorType type, Dist dist, double pConstant = 0.6);
  /// A scalar-like f32 constant of shape [] or [1].
  Val scalar(double v);
  reference::Tensor randomTensor(mlir::RankedTensorType type, Dist dist);

  //--- ops
  /// Creates op `name` with inferred result types and evaluates it. The
  /// result is exact when `exactOp` and every operand is. Aborts with a
  /// message when the op is invalid (a generator bug).
  Val op(llvm::StringRef name, llvm::ArrayRef<Val> operands,
         llvm::ArrayRef<mlir::NamedAttribute> attrs = {}, bool exactOp = false);
  /// kiln.cast of `x` to `element`.
  Val cast(const Val &x, mlir::Type element, bool exactOp);
  /// Records that a layer of tolerance class `c` was generated.
  void note(llvm::StringRef layer, TolClass c);
  /// Evaluates a freshly built kiln.scan (its body was built with
  /// evaluation suspended).
  void evaluateScan(mlir::Operation *scan);

  //--- data
  const reference::Tensor &data(const Val &v) const;
  Stats stats(const Val &v) const;
  /// Whether every element's distance to the nearest discontinuity of the
  /// consuming op (given by `distance`) leaves room for rounding
  /// differences; always true for exact values.
  bool safeFrom(const Val &v, double (*distance)(double)) const;

  //--- attributes
  mlir::NamedAttribute attr(llvm::StringRef name, mlir::Attribute value) {
    return b.getNamedAttr(name, value);
  }
  mlir::NamedAttribute i64s(llvm::StringRef name,
                            llvm::ArrayRef<int64_t> values) {
    return attr(name, b.getDenseI64ArrayAttr(values));
  }
  mlir::NamedAttribute i64(llvm::StringRef name, int64_t value) {
    return attr(name, b.getI64IntegerAttr(value));
  }
  mlir::NamedAttribute f64(llvm::StringRef name, double value) {
    return attr(name, b.getF64FloatAttr(value));
  }
  mlir::NamedAttribute flag(llvm::StringRef name, bool value) {
    return attr(name, b.getBoolAttr(value));
  }
  mlir::NamedAttribute str(llvm::StringRef name, llvm::StringRef value) {
    return attr(name, b.getStringAttr(value));
  }

  /// The value the chain continues from, and earlier values (for residual
  /// connections and extra outputs).
  Val current;
  std::vector<Val> pool;
  std::mt19937_64 rng;
  mlir::OpBuilder b;
  mlir::Location loc;
  mlir::func::FuncOp func;
  /// Build ops without evaluating them (inside a scan body).
  bool evaluating = true;
  /// The enabled categories: a generator may use helper ops (a reshape
  /// before a convolution) only from these.
  unsigned categories = kAllCategories;
  bool enabled(Category c) const { return categories & c; }
  GeneratedFunction result;

private:
  Val build(llvm::StringRef name, llvm::ArrayRef<Val> operands,
            llvm::ArrayRef<mlir::NamedAttribute> attrs, mlir::Type resultType,
            bool exactOp);

  llvm::DenseMap<mlir::Value, reference::Tensor> values;
  int blobCounter = 0;
};

/// An op generator: applies one layer to `g.current` (or declines, creating
/// nothing, when the current value does not suit it).
struct OpGenerator {
  const char *name;
  Category category;
  double weight;
  bool (*apply)(FunctionGen &g);
};

/// The generator tables, by category file.
llvm::ArrayRef<OpGenerator> elementwiseGenerators();
llvm::ArrayRef<OpGenerator> nnGenerators();
llvm::ArrayRef<OpGenerator> shapeGenerators();

/// Shape helpers shared by the generators.
int64_t product(llvm::ArrayRef<int64_t> shape);
/// A random shape that broadcasts against `shape` (size-1 dimensions, fewer
/// leading dimensions, or extra leading dimensions when `grow`).
llvm::SmallVector<int64_t>
broadcastPartner(FunctionGen &g, llvm::ArrayRef<int64_t> shape, bool grow);
/// Whether two shapes broadcast against each other.
bool broadcastable(llvm::ArrayRef<int64_t> a, llvm::ArrayRef<int64_t> b);
/// NumPy broadcast of two shapes.
llvm::SmallVector<int64_t> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                           llvm::ArrayRef<int64_t> b);

/// An operand of element type `element` for a binary op with `like`: an
/// earlier value whose shape broadcasts with it (a residual connection), or
/// a new input or constant of a broadcast-compatible shape.
Val partner(FunctionGen &g, const Val &like, mlir::Type element, Dist dist);
/// The same for a value broadcasting with `shape` (other than `exclude`).
Val partner(FunctionGen &g, llvm::ArrayRef<int64_t> shape, mlir::Value exclude,
            mlir::Type element, Dist dist);
/// A random split of `n` into `rank` factors.
llvm::SmallVector<int64_t> randomFactors(FunctionGen &g, int64_t n,
                                         int64_t rank);

/// "kiln.add" -> "add".
inline llvm::StringRef mnemonic(llvm::StringRef opName) {
  return opName.drop_front(sizeof("kiln.") - 1);
}

/// The largest intermediate the generators create, in elements.
constexpr int64_t kMaxElements = 4096;

} // namespace kiln::difftest

#endif // KILN_TEST_COMPILER_RANDOMGRAPH_H
