//===- Status.h - creating kiln_status_t values inside the runtime --------===//

#ifndef KILN_RUNTIME_SRC_STATUS_H
#define KILN_RUNTIME_SRC_STATUS_H

#include "kiln/runtime.h"

#include <string>

namespace kiln::rt {

/// A status carrying `code` and `message`. Never fails: if the message cannot
/// be allocated, returns a static RESOURCE_EXHAUSTED status.
kiln_status_t makeStatus(kiln_status_code_t code, const std::string &message);

} // namespace kiln::rt

#endif // KILN_RUNTIME_SRC_STATUS_H
