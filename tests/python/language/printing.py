import sys
print('a', 'b', sep='-', end='!\n')
print('no newline', end='')
print(' continued')
print()
print(1, 2.0, None, True, 'x', b'y', [1, 'a'], (1,), {'k': None}, sep=' | ')
print('to stderr', file=sys.stderr)
sys.stdout.write('written\n')
print(repr(3), repr('3'), str(None), repr(None), repr([1.5, 'x', b'z', None, True]))
print(type(1), type('s'), type([]), type(None) is type(None), type(1) == int, isinstance(True, int), isinstance(1.0, (int, float)))
x = 42
print(f'{x}', f'{x!r}', f'{x:05}', f'{x:*^9}', f'{"s":>3}', f'{x / 3:.2f}', f'{[x]}', f"{'a' + 'b'}")
print('%5s|%-5s|%5.1f|' % ('ab', 'cd', 2.25), '%3d|%-3d|' % (5, 5), '%s and %s' % ('x', 'y'))
