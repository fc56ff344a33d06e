// The runtime's JSON reader (manifests, safetensors headers, checkpoint
// metadata): JSON's number grammar exactly, and integers only where
// int64_t holds them.
#include "../../../runtime/src/Json.h"

#include <gtest/gtest.h>

namespace {

bool parses(const std::string &text, nnrt::Json &out) {
  std::string error;
  return nnrt::parseJson(text, out, error);
}

TEST(Json, NumbersFollowTheJsonGrammar) {
  nnrt::Json j;
  for (const char *ok : {"0", "-0", "12", "-3.25", "1e3", "2E-2", "1.5e+2"}) {
    EXPECT_TRUE(parses(ok, j)) << ok;
    EXPECT_EQ(j.kind, nnrt::Json::Number) << ok;
  }
  EXPECT_TRUE(parses("[1.5e+2]", j));
  EXPECT_EQ(j.items.at(0).num, 150.0);
  // strtod takes all of these; JSON takes none.
  for (const char *bad : {"inf", "-inf", "nan", "NAN", "0x10", "+1", ".5",
                          "1.", "1e", "01", "--1", "Infinity", "1e999",
                          "-1e999"})
    EXPECT_FALSE(parses(bad, j)) << bad;
  std::string error;
  EXPECT_FALSE(nnrt::parseJson("[1, 1e999]", j, error));
  EXPECT_NE(error.find("number out of range"), std::string::npos) << error;
}

TEST(Json, AsIntTakesOnlyWholeNumbersInRange) {
  nnrt::Json j;
  int64_t v = 7;
  ASSERT_TRUE(parses("[3, -4, 1e18, -9223372036854775808, "
                     "9223372036854775808, 2.5, 1e300, \"3\", null]",
                     j));
  EXPECT_TRUE(j.items[0].asInt(v));
  EXPECT_EQ(v, 3);
  EXPECT_TRUE(j.items[1].asInt(v));
  EXPECT_EQ(v, -4);
  EXPECT_TRUE(j.items[2].asInt(v));
  EXPECT_EQ(v, 1000000000000000000);
  EXPECT_TRUE(j.items[3].asInt(v)); // -2^63 is an int64_t
  EXPECT_EQ(v, INT64_MIN);
  v = 7;
  for (size_t i = 4; i < j.items.size(); ++i) { // 2^63 and beyond, ...
    EXPECT_FALSE(j.items[i].asInt(v)) << i;
    EXPECT_EQ(v, 7) << "left unchanged";
  }
}

} // namespace
