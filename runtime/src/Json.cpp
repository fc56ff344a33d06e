//===- Json.cpp - a small JSON reader and writer --------------------------===//

#include "Json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace nnrt;

const Json *Json::get(const std::string &key) const {
  for (const auto &m : members)
    if (m.first == key)
      return &m.second;
  return nullptr;
}

namespace {

class Parser {
public:
  Parser(const std::string &t, std::string &e) : text(t), error(e) {}

  bool parseDocument(Json &out) {
    if (!value(out, 0))
      return false;
    skipSpace();
    if (pos != text.size())
      return fail("unexpected text after the value");
    return true;
  }

private:
  const std::string &text;
  std::string &error;
  size_t pos = 0;

  bool fail(const std::string &what) {
    error = what + " at byte " + std::to_string(pos);
    return false;
  }
  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\n' ||
                                 text[pos] == '\t' || text[pos] == '\r'))
      ++pos;
  }
  bool literal(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (text.compare(pos, n, word) != 0)
      return fail("invalid literal");
    pos += n;
    return true;
  }

  bool value(Json &out, int depth) {
    if (depth > 64)
      return fail("nesting too deep");
    skipSpace();
    if (pos >= text.size())
      return fail("unexpected end of JSON");
    char c = text[pos];
    if (c == '{')
      return object(out, depth);
    if (c == '[')
      return array(out, depth);
    if (c == '"') {
      out.kind = Json::String;
      return string(out.str);
    }
    if (c == 't' || c == 'f') {
      out.kind = Json::Bool;
      out.b = c == 't';
      return literal(out.b ? "true" : "false");
    }
    if (c == 'n') {
      out.kind = Json::Null;
      return literal("null");
    }
    return number(out);
  }

  /// JSON's number grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?,
  /// checked before strtod, which would also take "inf", "nan" and hex.
  bool number(Json &out) {
    size_t start = pos, p = pos;
    auto digits = [&] {
      size_t from = p;
      while (p < text.size() && text[p] >= '0' && text[p] <= '9')
        ++p;
      return p > from;
    };
    if (p < text.size() && text[p] == '-')
      ++p;
    if (p < text.size() && text[p] == '0')
      ++p;
    else if (!digits())
      return fail("expected a value");
    if (p < text.size() && text[p] == '.' && (++p, !digits()))
      return fail("expected digits after '.'");
    if (p < text.size() && (text[p] == 'e' || text[p] == 'E')) {
      ++p;
      if (p < text.size() && (text[p] == '+' || text[p] == '-'))
        ++p;
      if (!digits())
        return fail("expected digits in the exponent");
    }
    double v = std::strtod(std::string(text, start, p - start).c_str(),
                           nullptr);
    if (!std::isfinite(v))
      return fail("number out of range");
    pos = p;
    out.kind = Json::Number;
    out.num = v;
    return true;
  }

  bool string(std::string &out) {
    ++pos; // opening quote
    while (pos < text.size() && text[pos] != '"') {
      char c = text[pos++];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos >= text.size())
        break;
      char e = text[pos++];
      switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        if (pos + 4 > text.size())
          return fail("truncated \\u escape");
        unsigned code = std::strtoul(text.substr(pos, 4).c_str(), nullptr, 16);
        pos += 4;
        if (code < 0x80) {
          out += static_cast<char>(code);
        } else if (code < 0x800) {
          out += static_cast<char>(0xC0 | (code >> 6));
          out += static_cast<char>(0x80 | (code & 0x3F));
        } else {
          out += static_cast<char>(0xE0 | (code >> 12));
          out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
          out += static_cast<char>(0x80 | (code & 0x3F));
        }
        break;
      }
      default: out += e; break;
      }
    }
    if (pos >= text.size())
      return fail("unterminated string");
    ++pos;
    return true;
  }

  bool array(Json &out, int depth) {
    out.kind = Json::Array;
    ++pos;
    skipSpace();
    if (pos < text.size() && text[pos] == ']') {
      ++pos;
      return true;
    }
    while (true) {
      out.items.emplace_back();
      if (!value(out.items.back(), depth + 1))
        return false;
      skipSpace();
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == ']') {
        ++pos;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool object(Json &out, int depth) {
    out.kind = Json::Object;
    ++pos;
    skipSpace();
    if (pos < text.size() && text[pos] == '}') {
      ++pos;
      return true;
    }
    while (true) {
      skipSpace();
      if (pos >= text.size() || text[pos] != '"')
        return fail("expected a key");
      std::string key;
      if (!string(key))
        return false;
      skipSpace();
      if (pos >= text.size() || text[pos] != ':')
        return fail("expected ':'");
      ++pos;
      out.members.emplace_back(key, Json());
      if (!value(out.members.back().second, depth + 1))
        return false;
      skipSpace();
      if (pos < text.size() && text[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < text.size() && text[pos] == '}') {
        ++pos;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }
};

} // namespace

bool nnrt::Json::asInt(int64_t &out) const {
  // 2^63 is exactly representable; every double below it and at least
  // -2^63 converts.
  if (kind != Number || num != std::floor(num) || !(num >= -0x1p63) ||
      !(num < 0x1p63))
    return false;
  out = static_cast<int64_t>(num);
  return true;
}

bool nnrt::parseJson(const std::string &text, Json &out, std::string &error) {
  out = Json();
  return Parser(text, error).parseDocument(out);
}

std::string nnrt::quoteJson(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}
