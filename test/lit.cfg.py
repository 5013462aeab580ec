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
tools = ["kiln-opt", "kiln-run", "kiln-import", "kiln-compile", "kiln-gradcheck", "kiln-train"]
llvm_config.add_tool_substitutions(tools, [config.kiln_tools_dir])
# Scripts that run the tools themselves find them here.
config.environment["KILN_TOOLS_DIR"] = config.kiln_tools_dir
