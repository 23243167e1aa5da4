def classify(n):
    if n < 0:
        return 'negative'
    elif n == 0:
        return 'zero'
    elif n < 10:
        return 'small'
    else:
        return 'big'

print([classify(n) for n in (-5, 0, 3, 42)])
i = 0
while i < 10:
    i += 1
    if i % 2:
        continue
    if i > 6:
        break
    print('even', i)
else:
    print('not reached')
for x in []:
    pass
else:
    print('for-else runs when not broken')
for i, c in enumerate('ab', 1):
    print(i, c)
for k, v in sorted({'b': 2, 'a': 1}.items()):
    print(k, v)
for a, b in zip([1, 2, 3], 'xy'):
    print(a, b)
total = 0
for i in range(10, 0, -3):
    total += i
print(total, list(range(5)), list(range(2, 8, 2)), list(range(5, 0, -2)), len(range(0, 100, 7)), range(3))

def order():
    try:
        print('try')
        return 'from try'
    finally:
        print('finally runs before the return')

print(order())

def loop_with_finally():
    for i in range(3):
        try:
            if i == 1:
                continue
            if i == 2:
                break
            print('body', i)
        finally:
            print('cleanup', i)
    return 'done'

print(loop_with_finally())

def nested():
    try:
        try:
            raise KeyError('inner')
        except ValueError:
            print('wrong handler')
        finally:
            print('inner finally')
    except LookupError as e:
        print('caught', repr(e), 'as LookupError')
    else:
        print('no else')

nested()
try:
    raise ConnectionRefusedError(111, 'Connection refused')
except OSError as e:
    print(type(e).__name__, e.errno, e.strerror, e, e.args)
try:
    try:
        1 / 0
    except ZeroDivisionError:
        raise
except Exception as e:
    print('re-raised', type(e).__name__)
try:
    raise TimeoutError('timed out')
except (ValueError, TimeoutError) as e:
    print('tuple caught', e)

class MyError(Exception):
    def __init__(self, code, text):
        super().__init__(text)
        self.code = code

try:
    raise MyError(7, 'custom')
except MyError as e:
    print(e, e.code, e.args, isinstance(e, Exception))
try:
    assert 1 == 2, 'math is broken'
except AssertionError as e:
    print('assert:', e)

def gen_values():
    result = []
    for i in range(3):
        result.append(i * i)
    return result

print(gen_values(), [x for x in range(4) if x != 2], {x: x * x for x in range(3)}, {x % 3 for x in range(10)})
print([(a, b) for a in range(2) for b in 'xy'], sum(x for x in range(5)), any(x > 3 for x in [1, 5]), all([]))
