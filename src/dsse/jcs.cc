#include "dsse/jcs.h"

#include <charconv>
#include <cstdlib>
#include <utility>

namespace vouch::internal {

namespace {

using Json = nlohmann::json;

// Length of the valid UTF-8 sequence starting at s[i], or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t min;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Reader {
 public:
  Reader(std::string_view text, const JsonReadOptions& options) : s_(text), opt_(options) {}

  StatusOr<Json> ReadDocument() {
    SkipSpace();
    Json value;
    if (!ReadValue(0, &value)) return std::move(error_);
    SkipSpace();
    if (pos_ != s_.size()) {
      Fail("unexpected data after the JSON value");
      return std::move(error_);
    }
    return value;
  }

 private:
  bool Fail(const std::string& what) {
    error_ = MalformedError(kJsonMalformed, what + " at byte " + std::to_string(pos_));
    return false;
  }

  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return Fail("invalid literal");
    pos_ += word.size();
    return true;
  }

  bool ReadValue(int depth, Json* out) {
    if (pos_ >= s_.size()) return Fail("unexpected end of input");
    switch (s_[pos_]) {
      case '{':
        return ReadObject(depth + 1, out);
      case '[':
        return ReadArray(depth + 1, out);
      case '"': {
        std::string str;
        if (!ReadString(&str)) return false;
        *out = std::move(str);
        return true;
      }
      case 't':
        *out = true;
        return Literal("true");
      case 'f':
        *out = false;
        return Literal("false");
      case 'n':
        *out = nullptr;
        return Literal("null");
      default:
        return ReadNumber(out);
    }
  }

  // Consumes `c` when it is next.
  bool TryConsume(char c) {
    if (pos_ >= s_.size() || s_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Steps over the opening bracket of an object or array at nesting `depth`.
  bool Open(int depth) {
    if (depth > opt_.max_depth) {
      return Fail("nested deeper than " + std::to_string(opt_.max_depth) + " levels");
    }
    ++pos_;
    return true;
  }

  // The rest of an object or array after its opening bracket: none, or items read by
  // `read_item` (which starts at the item) separated by ',', then `close`.
  template <typename ReadItem>
  bool ReadItems(char close, std::string_view container, ReadItem read_item) {
    SkipSpace();
    if (TryConsume(close)) return true;
    while (true) {
      if (!read_item()) return false;
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unterminated " + std::string(container));
      if (TryConsume(',')) {
        SkipSpace();
        continue;
      }
      if (TryConsume(close)) return true;
      return Fail(std::string("expected ',' or '") + close + "'");
    }
  }

  bool ReadObject(int depth, Json* out) {
    if (!Open(depth)) return false;
    *out = Json::object();
    auto& obj = out->get_ref<Json::object_t&>();
    return ReadItems('}', "object", [&] {
      if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected a string key");
      size_t key_pos = pos_;
      std::string key;
      if (!ReadString(&key)) return false;
      if (opt_.ascii_keys_only) {
        for (char c : key) {
          if (c < 0x20 || c > 0x7e) {
            pos_ = key_pos;
            return Fail("object key is not printable ASCII");
          }
        }
      }
      SkipSpace();
      if (!TryConsume(':')) return Fail("expected ':'");
      SkipSpace();
      Json value;
      if (!ReadValue(depth, &value)) return false;
      if (!obj.emplace(key, std::move(value)).second) {
        pos_ = key_pos;
        return Fail("duplicate key \"" + key + "\"");
      }
      return true;
    });
  }

  bool ReadArray(int depth, Json* out) {
    if (!Open(depth)) return false;
    *out = Json::array();
    auto& arr = out->get_ref<Json::array_t&>();
    return ReadItems(']', "array", [&] {
      Json value;
      if (!ReadValue(depth, &value)) return false;
      arr.push_back(std::move(value));
      return true;
    });
  }

  bool ReadHex4(uint32_t* out) {
    if (pos_ + 4 > s_.size()) return Fail("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s_[pos_ + k];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail("bad \\u escape");
      }
    }
    pos_ += 4;
    *out = v;
    return true;
  }

  bool ReadString(std::string* out) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= s_.size()) return Fail("unterminated string");
      auto c = static_cast<uint8_t>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("raw control character in string");
      if (c == '\\') {
        if (pos_ + 1 >= s_.size()) return Fail("unterminated escape");
        char e = s_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case '"':
            out->push_back('"');
            break;
          case '\\':
            out->push_back('\\');
            break;
          case '/':
            out->push_back('/');
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'u': {
            uint32_t cp = 0;
            if (!ReadHex4(&cp)) return false;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail("lone low surrogate in \\u escape");
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              uint32_t low = 0;
              if (s_.substr(pos_, 2) != "\\u" || (pos_ += 2, !ReadHex4(&low))) {
                return Fail("high surrogate without a low surrogate");
              }
              if (low < 0xDC00 || low > 0xDFFF) return Fail("high surrogate without a low one");
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            AppendUtf8(cp, out);
            break;
          }
          default:
            pos_ -= 2;
            return Fail("invalid escape");
        }
        continue;
      }
      size_t n = Utf8SequenceLength(s_, pos_);
      if (n == 0) return Fail("invalid UTF-8");
      out->append(s_.substr(pos_, n));
      pos_ += n;
    }
  }

  bool ReadNumber(Json* out) {
    size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '9') {
      pos_ = start;
      return Fail("unexpected character");
    }
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    }
    bool fraction = pos_ < s_.size() && (s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E');
    if (fraction) {
      if (opt_.integers_only) {
        pos_ = start;
        return Fail("only integers are allowed (no fraction or exponent)");
      }
      if (s_[pos_] == '.') {
        ++pos_;
        size_t digits = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        if (pos_ == digits) return Fail("digit expected after '.'");
      }
      if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
        ++pos_;
        if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
        size_t digits = pos_;
        while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
        if (pos_ == digits) return Fail("digit expected in exponent");
      }
      std::string copy(s_.substr(start, pos_ - start));
      *out = std::strtod(copy.c_str(), nullptr);
      return true;
    }
    std::string_view digits = s_.substr(start, pos_ - start);
    if (digits == "-0") {
      pos_ = start;
      return Fail("\"-0\" is not allowed");
    }
    int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size() ||
        (opt_.integers_only && (v > kMaxJsonInteger || v < -kMaxJsonInteger))) {
      pos_ = start;
      return Fail("integer out of range (at most 2^53 - 1 in magnitude)");
    }
    *out = v;
    return true;
  }

  std::string_view s_;
  const JsonReadOptions& opt_;
  size_t pos_ = 0;
  Status error_;
};

bool AppendCanonical(const Json& v, std::string* pointer, std::string* out, Status* error) {
  auto fail = [&](const std::string& what) {
    *error = MalformedError(kJsonMalformed,
                            what + " at " + (pointer->empty() ? std::string("/") : *pointer));
    return false;
  };
  switch (v.type()) {
    case Json::value_t::null:
      out->append("null");
      return true;
    case Json::value_t::boolean:
      out->append(v.get<bool>() ? "true" : "false");
      return true;
    case Json::value_t::number_integer: {
      int64_t n = v.get<int64_t>();
      if (n > kMaxJsonInteger || n < -kMaxJsonInteger) return fail("integer out of range");
      out->append(std::to_string(n));
      return true;
    }
    case Json::value_t::number_unsigned: {
      uint64_t n = v.get<uint64_t>();
      if (n > static_cast<uint64_t>(kMaxJsonInteger)) return fail("integer out of range");
      out->append(std::to_string(n));
      return true;
    }
    case Json::value_t::string: {
      const auto& s = v.get_ref<const std::string&>();
      if (!IsValidUtf8(s)) return fail("string is not valid UTF-8");
      AppendJsonString(s, out);
      return true;
    }
    case Json::value_t::array: {
      out->push_back('[');
      size_t i = 0;
      size_t base = pointer->size();
      for (const Json& item : v) {
        if (i > 0) out->push_back(',');
        pointer->append("/" + std::to_string(i++));
        if (!AppendCanonical(item, pointer, out, error)) return false;
        pointer->resize(base);
      }
      out->push_back(']');
      return true;
    }
    case Json::value_t::object: {
      out->push_back('{');
      bool first = true;
      size_t base = pointer->size();
      // nlohmann's object_t is a std::map ordered by std::string::compare: bytewise, which is
      // the RFC 8785 order (UTF-16 code units) for the ASCII keys allowed here.
      for (const auto& [key, item] : v.items()) {
        for (char c : key) {
          if (c < 0x20 || c > 0x7e) return fail("object key is not printable ASCII");
        }
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(key, out);
        out->push_back(':');
        pointer->append("/" + JsonPointerToken(key));
        if (!AppendCanonical(item, pointer, out, error)) return false;
        pointer->resize(base);
      }
      out->push_back('}');
      return true;
    }
    default:
      return fail("only integers are allowed (no floating-point numbers)");
  }
}

}  // namespace

std::string JsonPointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    auto c = static_cast<uint8_t>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

StatusOr<nlohmann::json> ParseJson(std::string_view text, const JsonReadOptions& options) {
  return Reader(text, options).ReadDocument();
}

StatusOr<std::string> CanonicalJson(const nlohmann::json& value) {
  std::string out;
  std::string pointer;
  Status error;
  if (!AppendCanonical(value, &pointer, &out, &error)) return error;
  return out;
}

}  // namespace vouch::internal
