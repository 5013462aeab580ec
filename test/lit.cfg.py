# lit configuration for Kiln's FileCheck tests.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".pbtxt"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py",
                   "unit"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%kiln_src", config.kiln_src_root))
config.substitutions.append(("%python", config.python_executable))
# Hand-written artifacts (test/unit/artifacts) for kiln-run's artifact mode.
config.substitutions.append(("%test_artifacts", config.kiln_test_artifacts))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP", "ASAN_OPTIONS",
                                     "UBSAN_OPTIONS"])
llvm_config.use_default_substitutions()

# Tools come from the build tree first, then from LLVM (FileCheck, not).
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tools = ["kiln-opt", "kiln-run", "kiln-run-artifact", "kiln-import", "kiln-compile", "kiln-gradcheck", "kiln-train"]
llvm_config.add_tool_substitutions(tools, [config.kiln_tools_dir])
# Scripts that run the tools themselves find them here.
config.environment["KILN_TOOLS_DIR"] = config.kiln_tools_dir

# CUDA: `ptxas` (the toolkit's PTX assembler, which checks generated PTX
# without a GPU) and `cuda` (a usable GPU: the driver loads, initializes and
# reports a device). GPU execution tests say `REQUIRES: cuda`; lit reports
# them UNSUPPORTED on machines without one.
import ctypes
import shutil

# `cuda-toolkit`: the libdevice kiln-compile --target=cuda links (found
# where kiln-compile looks: $CUDA_HOME, $CUDA_PATH, /usr/local/cuda).
for root in [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"),
             "/usr/local/cuda"]:
    if root:
        if os.path.exists(os.path.join(root, "nvvm", "libdevice",
                                       "libdevice.10.bc")):
            config.available_features.add("cuda-toolkit")
        break
if "cuda-toolkit" not in config.available_features:
    lit_config.note("no CUDA toolkit (libdevice): the --target=cuda compile "
                    "tests are skipped")

ptxas = shutil.which("ptxas")
for root in [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"),
             "/usr/local/cuda"]:
    if not ptxas and root and os.path.exists(os.path.join(root, "bin", "ptxas")):
        ptxas = os.path.join(root, "bin", "ptxas")
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))


def cuda_device_count():
    try:
        driver = ctypes.CDLL("libcuda.so.1")
    except OSError:
        return 0
    count = ctypes.c_int(0)
    if driver.cuInit(0) != 0 or driver.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value


if cuda_device_count() > 0:
    config.available_features.add("cuda")
else:
    lit_config.note("no CUDA device: the GPU execution tests (REQUIRES: cuda) "
                    "are skipped and reported UNSUPPORTED")

# The accuracy acceptance runs (5 epochs of Fashion-MNIST per model, minutes
# of CPU time) run only when asked for: KILN_ACCURACY_TESTS=1.
if os.environ.get("KILN_ACCURACY_TESTS") == "1":
    config.available_features.add("accuracy")
else:
    lit_config.note("KILN_ACCURACY_TESTS is not 1: the Fashion-MNIST accuracy "
                    "runs (REQUIRES: accuracy) are skipped and reported "
                    "UNSUPPORTED")
