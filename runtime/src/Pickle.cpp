//===- Pickle.cpp - NumPy object arrays of sequences (Keras' imdb.npz) ----===//
//
// np.save writes an array of dtype object (`'descr': '|O'`) as a Python
// pickle of the ndarray: numpy's _reconstruct called on (ndarray, (0,),
// b'b'), then BUILD with the state (version, shape, dtype, fortran, data),
// where data is a list of the elements. Keras' imdb.npz holds its reviews
// so: a 1-D array whose elements are lists of word ids, one per review.
//
// This is not an unpickler: nothing is looked up or called. A small stack
// machine follows the opcodes NumPy's pickles use (protocols 2 to 5, and
// Python 2's, which older NumPy wrote) and builds plain values (numbers,
// strings, lists, tuples, and "a call of module.name" records); the result
// is accepted only when it has exactly the shape above with numbers or lists
// of numbers as elements. Every length is bounds-checked; the bytes are
// untrusted input.
//
//===----------------------------------------------------------------------===//

#include "Pickle.h"

#include <cstring>
#include <map>
#include <memory>

namespace {

struct Value {
  enum Kind { None, Bool, Int, Float, Text, List, Tuple, Global, Call, Mark };
  Kind kind = None;
  double number = 0;
  std::string text;             // Text; Global: "module.name"
  std::vector<Value *> items;   // List, Tuple; Call: callable, args, state
};
// Values are owned by the machine's arena, not by each other: a pickle can
// put a list inside itself (through the memo), which reference counting
// would leak.
using ValuePtr = Value *;

class Machine {
public:
  Machine(const std::string &bytes, size_t at) : bytes(bytes), at(at) {}

  /// The pickled value; null and `error` on anything unexpected.
  ValuePtr run(std::string &error) {
    // Nesting is bounded by the bytes (a list per byte at most), so a
    // recursion limit is not needed: the machine never recurses.
    while (at < bytes.size()) {
      unsigned char op = static_cast<unsigned char>(bytes[at++]);
      if (op == '.') { // STOP
        if (stack.size() != 1 || stack.back()->kind == Value::Mark)
          return fail(error, "the pickle ends with a malformed stack");
        return stack.back();
      }
      if (!step(op, error))
        return nullptr;
    }
    return fail(error, "the pickle ends without STOP");
  }

  /// A new value of kind `k`, owned by the machine.
  ValuePtr make(Value::Kind k) {
    arena.push_back(std::make_unique<Value>());
    arena.back()->kind = k;
    return arena.back().get();
  }

private:
  const std::string &bytes;
  size_t at;
  std::vector<ValuePtr> stack;
  std::map<uint64_t, ValuePtr> memo;
  std::vector<std::unique_ptr<Value>> arena;

  ValuePtr number(Value::Kind k, double n) {
    ValuePtr v = make(k);
    v->number = n;
    return v;
  }
  ValuePtr text(std::string s) {
    ValuePtr v = make(Value::Text);
    v->text = std::move(s);
    return v;
  }

  ValuePtr fail(std::string &error, const std::string &why) {
    if (error.empty())
      error = why;
    return nullptr;
  }
  bool has(uint64_t n) const { return n <= bytes.size() - at; }
  uint64_t unsignedLE(unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i)
      v |= uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    at += n;
    return v;
  }
  bool pop(ValuePtr &v) {
    if (stack.empty() || stack.back()->kind == Value::Mark)
      return false;
    v = stack.back();
    stack.pop_back();
    return true;
  }
  /// The values above the topmost mark, which is removed.
  bool popToMark(std::vector<ValuePtr> &out) {
    size_t k = stack.size();
    while (k > 0 && stack[k - 1]->kind != Value::Mark)
      --k;
    if (k == 0)
      return false;
    out.assign(stack.begin() + k, stack.end());
    stack.resize(k - 1);
    return true;
  }
  bool line(std::string &out) {
    size_t end = bytes.find('\n', at);
    if (end == std::string::npos)
      return false;
    out = bytes.substr(at, end - at);
    at = end + 1;
    return true;
  }

  bool step(unsigned char op, std::string &error) {
    auto bad = [&](const char *why) {
      fail(error, std::string("malformed pickle: ") + why);
      return false;
    };
    auto pushText = [&](uint64_t n) {
      if (!has(n))
        return bad("a string runs past the end");
      stack.push_back(text(bytes.substr(at, n)));
      at += n;
      return true;
    };
    auto tuple = [&](size_t n) {
      if (stack.size() < n)
        return bad("a tuple of missing values");
      ValuePtr t = make(Value::Tuple);
      t->items.assign(stack.end() - n, stack.end());
      for (const ValuePtr &v : t->items)
        if (v->kind == Value::Mark)
          return bad("a tuple of a mark");
      stack.resize(stack.size() - n);
      stack.push_back(t);
      return true;
    };
    switch (op) {
    case 0x80: // PROTO
      if (!has(1))
        return bad("truncated");
      ++at;
      return true;
    case 0x95: // FRAME: a length hint
      if (!has(8))
        return bad("truncated");
      at += 8;
      return true;
    case '(':
      stack.push_back(make(Value::Mark));
      return true;
    case 'N':
      stack.push_back(make(Value::None));
      return true;
    case 0x88: // NEWTRUE
    case 0x89: // NEWFALSE
      stack.push_back(number(Value::Bool, op == 0x88));
      return true;
    case 'K': // BININT1
      if (!has(1))
        return bad("truncated");
      stack.push_back(number(Value::Int, double(unsignedLE(1))));
      return true;
    case 'M': // BININT2
      if (!has(2))
        return bad("truncated");
      stack.push_back(number(Value::Int, double(unsignedLE(2))));
      return true;
    case 'J': // BININT: signed 32-bit
      if (!has(4))
        return bad("truncated");
      stack.push_back(number(
          Value::Int, double(static_cast<int32_t>(uint32_t(unsignedLE(4))))));
      return true;
    case 0x8a: { // LONG1: n bytes of two's complement
      if (!has(1))
        return bad("truncated");
      uint64_t n = unsignedLE(1);
      if (n > 8 || !has(n))
        return bad("an integer wider than 64 bits");
      uint64_t v = n ? unsignedLE(unsigned(n)) : 0;
      if (n && n < 8 && (v >> (8 * n - 1)) & 1)
        v |= ~uint64_t(0) << (8 * n);
      stack.push_back(number(Value::Int, double(static_cast<int64_t>(v))));
      return true;
    }
    case 'G': { // BINFLOAT: big-endian double
      if (!has(8))
        return bad("truncated");
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i)
        bits = bits << 8 | static_cast<unsigned char>(bytes[at + i]);
      at += 8;
      double d;
      std::memcpy(&d, &bits, 8);
      stack.push_back(number(Value::Float, d));
      return true;
    }
    case 0x8c: // SHORT_BINUNICODE
    case 'U':  // SHORT_BINSTRING
    case 'C':  // SHORT_BINBYTES
      if (!has(1))
        return bad("truncated");
      return pushText(unsignedLE(1));
    case 'X': // BINUNICODE
    case 'T': // BINSTRING
    case 'B': // BINBYTES
      if (!has(4))
        return bad("truncated");
      return pushText(unsignedLE(4));
    case 0x8d: // BINUNICODE8
    case 0x8e: // BINBYTES8
      if (!has(8))
        return bad("truncated");
      return pushText(unsignedLE(8));
    case 'c': { // GLOBAL module\nname\n
      std::string module, name;
      if (!line(module) || !line(name))
        return bad("truncated");
      ValuePtr g = make(Value::Global);
      g->text = module + "." + name;
      stack.push_back(g);
      return true;
    }
    case 0x93: { // STACK_GLOBAL
      ValuePtr module, name;
      if (!pop(name) || !pop(module) || module->kind != Value::Text ||
          name->kind != Value::Text)
        return bad("STACK_GLOBAL without two names");
      ValuePtr g = make(Value::Global);
      g->text = module->text + "." + name->text;
      stack.push_back(g);
      return true;
    }
    case 0x94: // MEMOIZE
      if (stack.empty())
        return bad("MEMOIZE of nothing");
      memo[memo.size()] = stack.back();
      return true;
    case 'q': // BINPUT
    case 'r': { // LONG_BINPUT
      unsigned n = op == 'q' ? 1 : 4;
      if (!has(n) || stack.empty())
        return bad("truncated");
      memo[unsignedLE(n)] = stack.back();
      return true;
    }
    case 'h': // BINGET
    case 'j': { // LONG_BINGET
      unsigned n = op == 'h' ? 1 : 4;
      if (!has(n))
        return bad("truncated");
      auto it = memo.find(unsignedLE(n));
      if (it == memo.end())
        return bad("a memo entry that was never stored");
      stack.push_back(it->second);
      return true;
    }
    case ']': // EMPTY_LIST
      stack.push_back(make(Value::List));
      return true;
    case ')': // EMPTY_TUPLE
      stack.push_back(make(Value::Tuple));
      return true;
    case 'a': { // APPEND
      ValuePtr v;
      if (!pop(v) || stack.empty() || stack.back()->kind != Value::List)
        return bad("APPEND to no list");
      stack.back()->items.push_back(v);
      return true;
    }
    case 'e': { // APPENDS
      std::vector<ValuePtr> items;
      if (!popToMark(items) || stack.empty() ||
          stack.back()->kind != Value::List)
        return bad("APPENDS to no list");
      auto &list = stack.back()->items;
      list.insert(list.end(), items.begin(), items.end());
      return true;
    }
    case 'l': { // LIST
      ValuePtr l = make(Value::List);
      if (!popToMark(l->items))
        return bad("LIST without a mark");
      stack.push_back(l);
      return true;
    }
    case 't': { // TUPLE
      ValuePtr t = make(Value::Tuple);
      if (!popToMark(t->items))
        return bad("TUPLE without a mark");
      stack.push_back(t);
      return true;
    }
    case 0x85: return tuple(1);
    case 0x86: return tuple(2);
    case 0x87: return tuple(3);
    case 'R': { // REDUCE: recorded, not called
      ValuePtr args, callable;
      if (!pop(args) || !pop(callable) || args->kind != Value::Tuple ||
          callable->kind != Value::Global)
        return bad("REDUCE without a callable and its arguments");
      ValuePtr c = make(Value::Call);
      c->items = {callable, args};
      stack.push_back(c);
      return true;
    }
    case 'b': { // BUILD: the state of the call below it
      ValuePtr state;
      if (!pop(state) || stack.empty() || stack.back()->kind != Value::Call ||
          stack.back()->items.size() != 2)
        return bad("BUILD of no object");
      // A copy: the same record may be memoised and built only once.
      ValuePtr built = make(Value::Call);
      built->items = stack.back()->items;
      built->items.push_back(state);
      stack.back() = built;
      return true;
    }
    default:
      return bad(("opcode 0x" + [&] {
                   const char *hex = "0123456789abcdef";
                   return std::string{hex[op >> 4], hex[op & 15]};
                 }() + " is not one NumPy's object arrays use").c_str());
    }
  }
};

constexpr uint64_t kMaxValues = uint64_t(1) << 32;

bool isReconstruct(const Value &g) {
  return g.kind == Value::Global &&
         (g.text == "numpy.core.multiarray._reconstruct" ||
          g.text == "numpy._core.multiarray._reconstruct");
}

bool isNumber(const Value &v) {
  return v.kind == Value::Int || v.kind == Value::Float ||
         v.kind == Value::Bool;
}

} // namespace

bool nnrt::readObjectArray(const std::string &bytes, size_t at,
                           const std::string &file, ObjectArray &out,
                           std::string &error) {
  Machine m(bytes, at);
  std::string why;
  ValuePtr v = m.run(why);
  auto refuse = [&](const std::string &what) {
    error = file + ": an array of Python objects that is not " + what;
    return false;
  };
  if (!v) {
    error = file + ": " + why;
    return false;
  }
  // _reconstruct(ndarray, (0,), b'b') built with (1, shape, dtype, fortran,
  // [elements...]).
  if (v->kind != Value::Call || v->items.size() != 3 ||
      !isReconstruct(*v->items[0]))
    return refuse("a pickled NumPy array");
  const Value &state = *v->items[2];
  if (state.kind != Value::Tuple || state.items.size() != 5 ||
      state.items[1]->kind != Value::Tuple ||
      state.items[4]->kind != Value::List)
    return refuse("a pickled NumPy array");
  const Value &shape = *state.items[1];
  const std::vector<ValuePtr> &elements = state.items[4]->items;
  if (shape.items.size() != 1 || shape.items[0]->kind != Value::Int ||
      shape.items[0]->number != double(elements.size()))
    return refuse("one-dimensional (a list of sequences, as Keras' "
                  "imdb.npz holds)");
  out.rows.clear();
  out.sequences = false;
  // The memo lets a short pickle name one long list many times: count the
  // values before copying them.
  uint64_t total = 0;
  for (const Value *e : elements)
    total += e->kind == Value::List || e->kind == Value::Tuple
                 ? e->items.size() : 1;
  if (total > kMaxValues) {
    error = file + ": more than 2^32 values in its sequences";
    return false;
  }
  for (size_t i = 0; i < elements.size(); ++i) {
    const Value &e = *elements[i];
    std::vector<double> row;
    if (isNumber(e)) {
      row.push_back(e.number);
    } else if (e.kind == Value::List || e.kind == Value::Tuple) {
      out.sequences = true;
      for (const ValuePtr &x : e.items) {
        if (!isNumber(*x))
          return refuse("made of numbers or lists of numbers (element " +
                        std::to_string(i) + " holds something else)");
        row.push_back(x->number);
      }
    } else {
      return refuse("made of numbers or lists of numbers (element " +
                    std::to_string(i) + " is neither)");
    }
    out.rows.push_back(std::move(row));
  }
  return true;
}
