// Placeholder while the codec is being written (issue 3).
#include "control/codec/codec.hpp"
