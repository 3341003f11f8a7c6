// The Boost.Test main of every unit_<layer> binary.
#define BOOST_TEST_MODULE mirrorgraph_unit
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>
