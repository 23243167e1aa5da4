s = '  Hello, World!  '
print(repr(s.strip()), repr(s.lstrip()), repr(s.rstrip()), s.upper(), s.lower())
t = 'hello world foo'
print(t.split(), t.split(' ', 1), t.rsplit(' ', 1), 'a,b,,c'.split(','), '  a  b '.split(), ''.split(), 'a b c'.split(None, 1))
print('-'.join(['a', 'b', 'c']), ''.join(reversed('abc')), ', '.join(str(i) for i in range(3)))
print(t.startswith('hell'), t.endswith(('x', 'foo')), t.replace('o', '0'), t.replace('o', '0', 1), t.find('world'), t.find('z'), t.count('o'))
print(t.index('w'), t.rfind('o'), t.title(), t.capitalize(), 'AbC'.swapcase(), 'abc'.center(9, '*'), 'abc'.ljust(5) + '|', 'abc'.rjust(5), '42'.zfill(5), '-42'.zfill(5))
print('123'.isdigit(), 'abc'.isalpha(), 'a1'.isalnum(), '  '.isspace(), 'ABC'.isupper(), 'abc'.islower(), ''.isdigit())
print('a=b=c'.partition('='), 'a=b=c'.rpartition('='), 'line1\nline2\r\nline3'.splitlines())
print(t[0], t[-1], t[2:5], t[:5], t[6:], t[::2], t[::-1], t[-3:], t[100:], t[1:-1:3])
print(len('héllo'), 'héllo'[1], 'hello'.upper(), 'héllo'.encode(), b'h\xc3\xa9llo'.decode())
b = b'Hello\r\n'
print(b, b.decode(), b.strip(), b.upper(), b.split(b'l'), b[0], b[1:3], len(b), b'ab' + b'cd', b'x' * 3, list(b'abc'))
print(b'a,b'.split(b','), b'-'.join([b'x', b'y']), b'abc'.startswith(b'a'), b'abc'.find(b'c'), b'hello'.replace(b'l', b'L'), bytes([65, 66]), bytes(3))
print(repr("it's"), repr('say "hi"'), repr('both \' and "'), repr('tab\there'), repr('\x00\x7f'), repr(b'\x00\xff\'"'), str(b'abc'))
print('%s|%r|%d|%5d|%-5d|%05d|%x|%X|%o|%e|%g|%.2f|%10.3f|%c|%%' % ('s', 'r', 42, 42, 42, 42, 255, 255, 8, 12345.678, 0.0001, 3.14159, 2.5, 65))
print('%(name)s is %(age)d' % {'name': 'Ann', 'age': 30}, '%s' % (1,), '%s %s' % ('a', [1]), '%.3s' % 'abcdef', '%+d %+d' % (5, -5))
print('{} {}'.format('a', 'b'), '{1} {0}'.format('a', 'b'), '{x}-{y}'.format(x=1, y=2), '{:>6}|{:<6}|{:^6}|'.format('r', 'l', 'c'))
print('{:08.3f} {:,} {:_} {:x} {:#x} {:o} {:b} {:e} {:.2%} {:+d} {!r} {:5}|'.format(3.14159, 1234567, 1234567, 255, 255, 8, 5, 1234.5, 0.256, 7, 'q', 42))
name, n, f = 'Bob', 3, 2.0 / 3
print(f'{name!r} has {n} items, {f:.3f}, {n * 2}, {name.upper()}, {n:>4}|{n:<4}|{"nested"}, {{braces}}, {f!s:.4}')
print(f'{n=}' if False else f'{3.0} {1e20} {1.5e-7} {100.0} {float("inf")} {-0.5} {123456789.0} {0.1}')
print(str(1.0), str(1e16), str(1.23456789012e-5), repr(2.5), 1/3, 2/3, 10/4, 1e-4, 1e22, 12345678901234567.0)
print(int('  12  '), str(-0), '%s' % None, '%s' % True, '%d' % 3.9, '%i' % True, format(3.5, '.1f'), format(10, 'x'), format('s', '>3'))
print('abc' < 'abd', 'B' < 'a', 'é'.encode('utf-8'), 'ascii'.encode('ascii'), b'\xe9'.decode('latin-1'))
try:
    b'\xff'.decode()
except UnicodeDecodeError as e:
    print('UnicodeDecodeError:', e)
try:
    'x'.join([1])
except TypeError as e:
    print('TypeError:', e)
