l = [3, 1, 2]
l.append(4)
l.extend([5, 6])
l.insert(0, 0)
l.remove(3)
print(l, l.pop(), l.pop(0), l, l.index(2), l.count(1), len(l))
l.sort()
print(l, l[::-1], l[1:3], l[-2:], l[:-1])
l.reverse()
print(l, sorted(l), list(reversed(l)), l.copy(), [x * 2 for x in l])
l[0] = 'first'
del l[1]
print(l, l * 2, [] or 'empty', [[]] * 2)
d = {'a': 1, 'b': 2}
d['c'] = 3
print(d, d['a'], d.get('z'), d.get('z', 0), 'a' in d, len(d), list(d), list(d.keys()), list(d.values()), list(d.items()))
print(d.pop('a'), d, d.setdefault('x', []), d.setdefault('b', 99), d)
d.update({'y': 1}, )
d.update([('z', 2)])
del d['x']
print(d, dict(a=1), dict([('k', 'v')]), {1: 'one', 2.0: 'two'}, {(1, 2): 'tuple key'})
for k in d:
    print(k, d[k], end='; ')
print()
s = {3, 1, 2}
s.add(4)
s.discard(1)
s.discard(10)
print(sorted(s), 2 in s, len(s), set(), set('aab') == {'a', 'b'}, sorted(s | {9}), sorted(s & {2, 3}), sorted(s - {2}))
t = (1, 'two', 3.0, None, [5])
print(t, t[1], t[-1], t[1:3], len(t), t.count(1), t.index('two'), tuple('ab'), tuple([1]), ())
nested = {'list': [1, {'inner': (2, 3)}], 'empty': {}}
print(nested, nested['list'][1]['inner'][0])
a = []
a.append(a)
print(a)
print(list(enumerate('ab')), list(zip('ab', [1, 2])), dict(zip(['x', 'y'], [1, 2])), list(map(str, [1, 2])), list(range(3))[::-1])
print(sorted([(2, 'b'), (1, 'z'), (2, 'a')]), sorted({'b': 1, 'a': 2}), max({'a': 3, 'b': 1}.items(), key=lambda kv: kv[1]))
it = iter([1, 2])
print(next(it), next(it), next(it, 'end'))
matrix = [[1, 2], [3, 4]]
print([row[1] for row in matrix], [v for row in matrix for v in row], sum(sum(row) for row in matrix))
