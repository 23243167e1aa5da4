# sys: the program's console streams, its arguments and exit.
from _socksim import write as _write, readline as _readline, argv


class _Output:
    def __init__(self, stream, name):
        self._stream = stream
        self.name = name

    def write(self, text):
        _write(self._stream, text)
        return len(text)

    def flush(self):
        pass


class _Input:
    name = '<stdin>'

    def readline(self):
        return _readline()


stdout = _Output(0, '<stdout>')
stderr = _Output(1, '<stderr>')
stdin = _Input()
__stdout__ = stdout
__stderr__ = stderr
version = '3.12.0 (socksim)'
version_info = (3, 12, 0, 'final', 0)
platform = 'linux'
maxsize = 9223372036854775807
byteorder = 'little'


def exit(status=None):
    raise SystemExit(status)


def getrecursionlimit():
    return 1000
