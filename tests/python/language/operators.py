print(1 + 2 * 3, (1 + 2) * 3, 2 ** 3 ** 2, -2 ** 2, 7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3)
print(7 / 2, 6 / 3, 1 / 3, 2 ** -1, 10 - 2 - 3, 100 // 7 // 2, 1 << 10, 1024 >> 3, 5 & 3, 5 | 3, 5 ^ 3, ~5)
print(1 < 2 < 3, 3 > 2 > 2, 1 == 1.0, 'a' < 'b', (1, 2) < (1, 3), [1, 2] == [1, 2], None is None, 1 != 2)
print(True + True, True * 3, not 0, not '', 0 or 'x', 'a' and 'b', None or 0 or [], 3 if 2 > 1 else 4)
print(2.5 * 2, 0.1 + 0.2, 2.5e-3 * 4, -0.0, 3.0 // 2, 3.5 % 2, abs(-3), abs(-2.5), round(2.5), round(3.5), round(2.675, 2))
print(divmod(17, 5), divmod(-17, 5), pow(2, 10), pow(2, 10, 1000), max(3, 7, 5), min([4, 2, 8]), sum([1, 2, 3]), sum([0.5, 0.25]))
print(int('42'), int(' -7 '), int('ff', 16), int('0x1f', 0), int(3.99), int(-3.99), float('2.5'), float(3), str(10), str(2.0))
print(hex(255), oct(8), bin(5), ord('A'), chr(97), bool([]), bool([0]), 10 ** 18, 2 ** 62)
print('ab' * 3, [0] * 4, (1,) * 2, 'x' + 'y', [1] + [2], (1, 2) + (3,), 3 * 'z')
print('b' in 'abc', 'z' not in 'abc', 2 in [1, 2], 3 in (1, 2), 'k' in {'k': 1}, 5 in range(10), 5 in range(0, 10, 2))
x = 5
x += 3
x *= 2
x -= 1
x //= 2
x **= 2
print(x)
a, b = 1, 2
a, b = b, a
print(a, b)
(c, d), e = (3, 4), 5
first, *rest = [1, 2, 3, 4]
*init, last = 'abc'
print(c, d, e, first, rest, init, last)
items = [1, 2]
items += [3]
print(items)
for op in ['1/0', '1//0', '1%0', '1.0/0', "'a' + 1", "1 + 'a'", "[] - []", "len(5)", "'abc'[5]", "{}['x']", "int('x')", "float('y')", "[1, 2].index(3)", "undefined_name", "(1).foo", "'%d' % 'x'", "nothing()"]:
    try:
        eval_result = None
        if op == '1/0': 1 / 0
        elif op == '1//0': 1 // 0
        elif op == '1%0': 1 % 0
        elif op == '1.0/0': 1.0 / 0
        elif op == "'a' + 1": 'a' + 1
        elif op == "1 + 'a'": 1 + 'a'
        elif op == "[] - []": [] - []
        elif op == "len(5)": len(5)
        elif op == "'abc'[5]": 'abc'[5]
        elif op == "{}['x']": {}['x']
        elif op == "int('x')": int('x')
        elif op == "float('y')": float('y')
        elif op == "[1, 2].index(3)": [1, 2].index(3)
        elif op == "undefined_name": undefined_name
        elif op == "(1).foo": (1).foo
        elif op == "'%d' % 'x'": '%d' % 'x'
        elif op == "nothing()":
            nothing = None
            nothing()
    except Exception as e:
        print(op, '->', type(e).__name__ + ':', e)
