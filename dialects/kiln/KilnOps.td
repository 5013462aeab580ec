//===- KilnOps.td - all ops of the kiln dialect ---------------------------===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "dialects/kiln/KilnBase.td"
include "dialects/kiln/KilnElementwise.td"
include "dialects/kiln/KilnNN.td"
include "dialects/kiln/KilnShape.td"
include "dialects/kiln/KilnControl.td"

#endif // KILN_OPS_TD
