#include <gtest/gtest.h>
#include "tests/codec/test_util.hpp"
