# Built-in functions and methods that socksim writes in Python: slower than native ones, but a
# fraction of their size. `str_x`, `bytes_x`, `list_x`, `dict_x`, `set_x` and `tuple_x` are the
# methods `x` of those types; the machine looks them up here when it has no native one.

_missing = object()


def min(*args, key=None, default=_missing):
    return _extreme('min', args, key, default, False)


def max(*args, key=None, default=_missing):
    return _extreme('max', args, key, default, True)


def _extreme(name, args, key, default, largest):
    if not args:
        raise TypeError('%s expected at least 1 argument, got 0' % name)
    items = list(args[0]) if len(args) == 1 else list(args)
    if not items:
        if default is _missing:
            raise ValueError('%s() arg is an empty sequence' % name)
        return default
    best = items[0]
    best_key = best if key is None else key(best)
    for item in items[1:]:
        item_key = item if key is None else key(item)
        if (best_key < item_key) if largest else (item_key < best_key):
            best, best_key = item, item_key
    return best


def sum(iterable, start=0):
    if isinstance(start, str):
        raise TypeError("sum() can't sum strings [use ''.join(seq) instead]")
    for item in iterable:
        start = start + item
    return start


def sorted(iterable, key=None, reverse=False):
    items = list(iterable)
    items.sort(key=key, reverse=reverse)
    return items


def reversed(sequence):
    items = list(sequence)
    items.reverse()
    return iter(items)


def enumerate(iterable, start=0):
    pairs = []
    for item in iterable:
        pairs.append((start, item))
        start += 1
    return iter(pairs)


def zip(*iterables):
    columns = [list(column) for column in iterables]
    rows = min([len(column) for column in columns]) if columns else 0
    return iter([tuple([column[i] for column in columns]) for i in range(rows)])


def map(function, *iterables):
    if len(iterables) == 1:
        return iter([function(item) for item in iterables[0]])
    return iter([function(*row) for row in zip(*iterables)])


def filter(function, iterable):
    if function is None:
        return iter([item for item in iterable if item])
    return iter([item for item in iterable if function(item)])


def any(iterable):
    for item in iterable:
        if item:
            return True
    return False


def all(iterable):
    for item in iterable:
        if not item:
            return False
    return True


def divmod(a, b):
    return (a // b, a % b)


def pow(base, exp, mod=None):
    if mod is None:
        return base ** exp
    if mod == 0:
        raise ValueError('pow() 3rd argument cannot be 0')
    result = 1
    base %= mod
    while exp > 0:
        if exp & 1:
            result = result * base % mod
        base = base * base % mod
        exp >>= 1
    return result % mod


def round(*args):
    n = len(args)
    if n != 1 and n != 2:
        raise TypeError('round() takes %s (%d given)' % ('at least 1 argument' if n < 1 else 'at most 2 arguments', n))
    number = args[0]
    digits = args[1] if n == 2 else None
    if digits is not None and not isinstance(digits, int):
        raise TypeError("round(): '%s' object cannot be interpreted as an integer" % type(digits).__name__)
    if isinstance(number, int):
        return int(number)
    if not isinstance(number, float):
        raise TypeError("type %s doesn't define __round__ method" % type(number).__name__)
    if digits is None:
        if number != number or number - number != 0:
            raise OverflowError('cannot convert float infinity to integer')
        return int(_half_even(number))
    if number == 0 or number != number or number - number != 0:
        return number
    if digits >= 0:
        # Through the exact decimal expansion, as CPython rounds.
        rounded = float(format(number, '.%df' % min(digits, 300)))
    else:
        scale = 10.0 ** max(digits, -300)
        rounded = _half_even(number * scale) / scale
    # A zero keeps the number's sign.
    return rounded if rounded else number * 0.0


def _half_even(x):
    # x rounded to a whole float, halves to even.
    if not -4503599627370496.0 < x < 4503599627370496.0:
        return x
    whole = float(int(x))
    rest = x - whole
    if rest > 0.5 or rest == 0.5 and whole % 2:
        return whole + 1
    if rest < -0.5 or rest == -0.5 and whole % 2:
        return whole - 1
    return whole


def hex(number):
    return format(number, '#x')


def oct(number):
    return format(number, '#o')


def bin(number):
    return format(number, '#b')


def hasattr(value, name):
    try:
        getattr(value, name)
    except AttributeError:
        return False
    return True


def exit(code=None):
    raise SystemExit(code)


quit = exit


def open(*args, **kwargs):
    raise NotImplementedError('socksim programs have no files to open')


def _dict(*sources, **kwargs):
    # dict(): `sources` is empty or one mapping or iterable of pairs.
    d = {}
    for source in sources:
        for pair in source.items() if isinstance(source, dict) else source:
            pair = list(pair)
            if len(pair) != 2:
                raise ValueError('dictionary update sequence element has the wrong length; 2 is required')
            d[pair[0]] = pair[1]
    for key in kwargs:
        d[key] = kwargs[key]
    return d


def _bytes(source=_missing, encoding=_missing):
    # bytes(): the arguments are checked and the keyword `encoding` placed by the caller.
    if source is _missing:
        return b''
    if isinstance(source, str):
        if encoding is _missing:
            raise TypeError('string argument without an encoding')
        return source.encode(encoding)
    if isinstance(source, bytes):
        return source
    if type(source) is int:
        if source < 0:
            raise ValueError('negative count')
        return b'\x00' * source
    out = []
    for item in list(source):
        if not isinstance(item, int) or not 0 <= item < 256:
            raise ValueError('bytes must be in range(0, 256)')
        out.append(chr(item).encode('latin-1'))
    return b''.join(out)


# ---- str and bytes ----------------------------------------------------------------------------

def str_center(s, width, fillchar=' '):
    pad = width - len(s)
    if pad <= 0:
        return s
    left = pad // 2 + (pad & width & 1)
    return fillchar * left + s + fillchar * (pad - left)


def str_ljust(s, width, fillchar=' '):
    return s + fillchar * (width - len(s))


def str_rjust(s, width, fillchar=' '):
    return fillchar * (width - len(s)) + s


def str_zfill(s, width):
    if s[:1] in ('-', '+'):
        return s[0] + str_rjust(s[1:], width - 1, '0')
    return str_rjust(s, width, '0')


def str_replace(s, *args, **kwargs):
    if kwargs:
        raise TypeError("replace() got an unexpected keyword argument '%s'" % list(kwargs)[0])
    if not 2 <= len(args) <= 3:
        raise TypeError('replace() takes 2 to 3 arguments (%d given)' % len(args))
    # `old` and `new` must be of the kind of `s`, which these methods check.
    for part in args[:2]:
        s.split(part) if type(part) is tuple else s.startswith(part)
    old, new = args[0], args[1]
    count = args[2] if len(args) == 3 else -1
    if not isinstance(count, int):
        raise TypeError("replace: '%s' object cannot be interpreted as an integer" % type(count).__name__)
    if old:
        return new.join(s.split(old, count))
    # An empty `old` matches before each character and at the end.
    if count < 0 or count > len(s):
        count = len(s) + 1
    out = s[:0]
    for i in range(count):
        out += new + s[i:i + 1]
    return out + s[count:]


bytes_replace = str_replace


def str_partition(s, sep):
    at = s.find(sep)
    if at < 0:
        return (s, s[:0], s[:0])
    return (s[:at], sep, s[at + len(sep):])


def str_rpartition(s, sep):
    at = s.rfind(sep)
    if at < 0:
        return (s[:0], s[:0], s)
    return (s[:at], sep, s[at + len(sep):])


def str_index(s, sub):
    at = s.find(sub)
    if at < 0:
        raise ValueError('substring not found')
    return at


def str_rindex(s, sub):
    at = s.rfind(sub)
    if at < 0:
        raise ValueError('substring not found')
    return at


def str_count(s, sub):
    if not sub:
        return len(s) + 1
    return len(s.split(sub)) - 1


def str_capitalize(s):
    return s[:1].upper() + s[1:].lower()


def str_title(s):
    out = ''
    start = True
    for c in s:
        out += c.upper() if start else c.lower()
        start = not ('a' <= c <= 'z' or 'A' <= c <= 'Z')
    return out


def str_swapcase(s):
    return ''.join([c.lower() if 'A' <= c <= 'Z' else c.upper() for c in s])


def str_splitlines(s, keepends=False):
    lines = []
    start = 0
    i = 0
    while i < len(s):
        if s[i] in '\r\n':
            end = i
            if s[i] == '\r' and s[i + 1:i + 2] == '\n':
                i += 1
            lines.append(s[start:i + 1] if keepends else s[start:end])
            start = i + 1
        i += 1
    if start < len(s):
        lines.append(s[start:])
    return lines


def _every(s, test):
    if not s:
        return False
    for c in s:
        if not test(c):
            return False
    return True


def str_isdigit(s):
    return _every(s, lambda c: '0' <= c <= '9')


str_isnumeric = str_isdecimal = str_isdigit


def str_isalpha(s):
    return _every(s, lambda c: 'a' <= c <= 'z' or 'A' <= c <= 'Z')


def str_isalnum(s):
    return _every(s, lambda c: 'a' <= c <= 'z' or 'A' <= c <= 'Z' or '0' <= c <= '9')


def str_isspace(s):
    return _every(s, lambda c: c in ' \t\n\r\x0b\x0c')


def _cased(s, upper):
    found = False
    for c in s:
        if 'a' <= c <= 'z':
            if upper:
                return False
            found = True
        elif 'A' <= c <= 'Z':
            if not upper:
                return False
            found = True
    return found


def str_isupper(s):
    return _cased(s, True)


def str_islower(s):
    return _cased(s, False)


def str_format(template, *args, **kwargs):
    out = ''
    auto = 0
    i = 0
    n = len(template)
    while i < n:
        c = template[i]
        if c == '}':
            if template[i + 1:i + 2] != '}':
                raise ValueError("Single '}' encountered in format string")
            out += '}'
            i += 2
            continue
        if c != '{':
            out += c
            i += 1
            continue
        if template[i + 1:i + 2] == '{':
            out += '{'
            i += 2
            continue
        depth = 1
        j = i + 1
        while j < n and depth:
            if template[j] == '{':
                depth += 1
            elif template[j] == '}':
                depth -= 1
            j += 1
        if depth:
            raise ValueError("expected '}' before end of string")
        field = template[i + 1:j - 1]
        i = j
        name, colon, spec = field.partition(':')
        name, bang, conversion = name.partition('!')
        if '{' in spec:
            spec = str_format(spec, *args, **kwargs)
        head = name
        rest = ''
        for k in range(len(name)):
            if name[k] in '.[':
                head = name[:k]
                rest = name[k:]
                break
        if not head:
            value = args[auto]
            auto += 1
        elif head.isdigit():
            value = args[int(head)]
        else:
            value = kwargs[head]
        while rest:
            if rest[0] == '.':
                attr = rest[1:]
                for k in range(len(attr)):
                    if attr[k] in '.[':
                        rest = attr[k:]
                        attr = attr[:k]
                        break
                else:
                    rest = ''
                value = getattr(value, attr)
            else:
                key, _, rest = rest[1:].partition(']')
                value = value[int(key)] if key.isdigit() else value[key]
        if conversion == 'r' or conversion == 'a':
            value = repr(value)
        elif conversion == 's':
            value = str(value)
        out += format(value, spec)
    return out


def bytes_hex(b):
    return ''.join([format(byte, '02x') for byte in b])


# ---- lists, dicts, sets and tuples ---------------------------------------------------------------

def list_index(items, value, start=0):
    for i in range(start, len(items)):
        if items[i] == value:
            return i
    raise ValueError('%r is not in list' % (value,))


def list_count(items, value):
    return len([item for item in items if item == value])


def list_remove(items, value):
    for i in range(len(items)):
        if items[i] == value:
            del items[i]
            return
    raise ValueError('list.remove(x): x not in list')


def list_copy(items):
    return list(items)


def tuple_index(items, value):
    for i in range(len(items)):
        if items[i] == value:
            return i
    raise ValueError('tuple.index(x): x not in tuple')


def tuple_count(items, value):
    return len([item for item in items if item == value])


def dict_setdefault(d, key, default=None):
    if key not in d:
        d[key] = default
    return d[key]


def dict_update(d, other=(), **kwargs):
    pairs = other.items() if isinstance(other, dict) else other
    for key, value in pairs:
        d[key] = value
    for key in kwargs:
        d[key] = kwargs[key]


def dict_popitem(d):
    if not d:
        raise KeyError('popitem(): dictionary is empty')
    key = list(d)[-1]
    return (key, d.pop(key))


def dict_copy(d):
    return dict(d)


def dict_has_key(d, key):
    return key in d


def set_union(s, *others):
    out = set(s)
    for other in others:
        for item in other:
            out.add(item)
    return out


def set_update(s, *others):
    for other in others:
        for item in other:
            s.add(item)


def set_intersection(s, other):
    other = set(other)
    return set([item for item in s if item in other])


def set_difference(s, other):
    other = set(other)
    return set([item for item in s if item not in other])


def set_copy(s):
    return set(s)


def set_pop(s):
    for item in s:
        s.discard(item)
        return item
    raise KeyError('pop from an empty set')


# ---- `template % values` ---------------------------------------------------------------------------

def _percent(template, values):
    mapping = values if isinstance(values, dict) else None
    items = values if isinstance(values, tuple) else (values,)
    out = []
    taken = 0
    i = 0
    n = len(template)
    while i < n:
        c = template[i]
        i += 1
        if c != '%':
            out.append(c)
            continue
        key = None
        if template[i:i + 1] == '(':
            end = template.find(')', i)
            key = template[i + 1:end]
            i = end + 1
        flags = ''
        while i < n and template[i] in '-+ #0':
            flags += template[i]
            i += 1
        width = ''
        if template[i:i + 1] == '*':
            width = str(items[taken])
            taken += 1
            i += 1
        while i < n and '0' <= template[i] <= '9':
            width += template[i]
            i += 1
        if template[i:i + 1] == '.':
            width += '.'
            i += 1
            while i < n and '0' <= template[i] <= '9':
                width += template[i]
                i += 1
        while i < n and template[i] in 'hlL':
            i += 1
        if i >= n:
            raise ValueError('incomplete format')
        code = template[i]
        i += 1
        if code == '%':
            out.append('%')
            continue
        if key is not None:
            if mapping is None:
                raise TypeError('format requires a mapping')
            value = mapping[key]
        else:
            if taken >= len(items):
                raise TypeError('not enough arguments for format string')
            value = items[taken]
            taken += 1
        if code in 'sra':
            value = str(value) if code == 's' else repr(value)
            code = 's'
        elif code == 'c':
            value = value if isinstance(value, str) else chr(value)
            code = 's'
        elif code in 'diuxXoeEfFgG':
            number = isinstance(value, int) if code in 'xXo' else isinstance(value, (int, float))
            if not number:
                need = 'an integer' if code in 'xXo' else 'a real number'
                raise TypeError('%' + code + ' format: ' + need + ' is required, not ' + type(value).__name__)
            if code in 'diu':
                value = int(value)
                code = 'd'
        else:
            raise ValueError("unsupported format character '" + code + "' (" + hex(ord(code)) + ')')
        if '-' in flags:
            align = '<'
        elif '0' in flags and code != 's':
            align = '0='
        else:
            align = '>'
        sign = '+' if '+' in flags else (' ' if ' ' in flags else '')
        out.append(format(value, align + sign + ('#' if '#' in flags else '') + width + code))
    if mapping is None and taken < len(items):
        raise TypeError('not all arguments converted during string formatting')
    return ''.join(out)


# ---- int() of text ----------------------------------------------------------------------------

def _int(value, base):
    # int() of a str or bytes, or of an object through str(); `base` is None when not given.
    shown = 10 if base is None else base
    if isinstance(value, bytes):
        text = value.decode('utf-8', 'replace')
    elif isinstance(value, str):
        text = value
    else:
        text = str(value)
    if shown != 0 and not 2 <= shown <= 36:
        raise ValueError('int() base must be >= 2 and <= 36, or 0')
    digits = text.strip().replace('_', '').lower()
    sign = -1 if digits[:1] == '-' else 1
    if digits[:1] in ('-', '+') and digits:
        digits = digits[1:]
    base = shown
    prefix = digits[:2]
    for letter, radix in (('0x', 16), ('0o', 8), ('0b', 2)):
        if prefix == letter and base in (0, radix):
            base = radix
            digits = digits[2:]
    if base == 0:
        base = 10
    number = 0 if digits else None
    try:
        for c in digits:
            digit = '0123456789abcdefghijklmnopqrstuvwxyz'.find(c)
            if not 0 <= digit < base:
                number = None
                break
            number = number * base + digit
    except OverflowError:
        number = None
    if number is not None:
        return sign * number
    if isinstance(value, (str, bytes)):
        raise ValueError('invalid literal for int() with base %d: %r' % (shown, value))
    raise TypeError('int() argument must be a string or a number')
