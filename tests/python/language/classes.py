class Counter:
    instances = 0

    def __init__(self, start=0):
        self.value = start
        Counter.instances += 1

    def increment(self, by=1):
        self.value += by
        return self

    def __str__(self):
        return 'Counter(%d)' % self.value

    def __repr__(self):
        return '<Counter %d>' % self.value

    def __eq__(self, other):
        return isinstance(other, Counter) and self.value == other.value

    def __len__(self):
        return self.value


c = Counter(5).increment().increment(10)
print(c, repr(c), [c], str(c), Counter.instances, c.value, len(c), c == Counter(16), c == 16, bool(Counter()))


class Animal:
    sound = '...'

    def __init__(self, name):
        self.name = name

    def speak(self):
        return f'{self.name} says {self.sound}'


class Dog(Animal):
    sound = 'woof'

    def __init__(self, name, tricks):
        super().__init__(name)
        self.tricks = list(tricks)

    def speak(self):
        return super().speak() + '!'


class Puppy(Dog):
    def speak(self):
        return Dog.speak(self).upper()


d = Puppy('rex', ['sit'])
print(d.speak(), isinstance(d, Animal), isinstance(d, Dog), isinstance(3, Animal), issubclass(Puppy, Animal), d.tricks)
print(hasattr(d, 'name'), hasattr(d, 'wings'), getattr(d, 'name'), getattr(d, 'wings', 'none'), type(d).__name__, Dog.__name__)
setattr(d, 'age', 2)
print(d.age, d.__class__.__name__)
method = d.speak
print(method())


def make_adder(n):
    def add(x):
        return x + n
    return add


add5 = make_adder(5)
print(add5(1), list(map(make_adder(10), [1, 2])), (lambda x, y=2: x * y)(3), sorted(['bb', 'a', 'ccc'], key=len))
print(sorted([3, 1, 2], reverse=True), sorted('bca'), max(['a', 'bbb', 'cc'], key=len), min(3, 1, 2), list(filter(None, [0, 1, '', 'a'])))

counter = 0


def bump():
    global counter
    counter += 1


bump()
bump()
print(counter)


def outer():
    total = 0

    def inner(v):
        nonlocal total
        total += v
    for v in [1, 2, 3]:
        inner(v)
    return total


print(outer())


def f(a, b=2, *args, c=3, **kwargs):
    return (a, b, args, c, sorted(kwargs.items()))


print(f(1), f(1, 5, 6, 7, c=8, d=9), f(*[1, 2, 3], **{'c': 4, 'e': 5}))
try:
    f()
except TypeError as e:
    print(e)
try:
    f(1, x=2, a=3)
except TypeError as e:
    print(e)
try:
    Counter(1, 2, 3)
except TypeError as e:
    print(e)
