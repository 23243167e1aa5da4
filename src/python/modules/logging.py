# logging: loggers, handlers and formatters. Every handler writes to the host's console, in the
# log stream: socksim programs have no files, so a FileHandler (or basicConfig's filename) shows
# its lines there too. Times are the network's virtual time.
from _socksim import write as _write, now as _now, caller as _caller, current_thread as _thread
from time import _civil

CRITICAL = 50
FATAL = 50
ERROR = 40
WARNING = 30
WARN = 30
INFO = 20
DEBUG = 10
NOTSET = 0
BASIC_FORMAT = '%(levelname)s:%(name)s:%(message)s'
_names = {50: 'CRITICAL', 40: 'ERROR', 30: 'WARNING', 20: 'INFO', 10: 'DEBUG', 0: 'NOTSET'}
_levels = {'CRITICAL': 50, 'FATAL': 50, 'ERROR': 40, 'WARNING': 30, 'WARN': 30, 'INFO': 20, 'DEBUG': 10, 'NOTSET': 0}


def getLevelName(level):
    if level in _names:
        return _names[level]
    if level in _levels:
        return _levels[level]
    return 'Level %s' % level


def _level(level):
    if isinstance(level, str):
        if level not in _levels:
            raise ValueError('Unknown level: %r' % level)
        return _levels[level]
    return level


class Formatter:
    def __init__(self, fmt=None, datefmt=None, style='%'):
        self._fmt = fmt or '%(message)s'
        self.datefmt = datefmt
        self._style = style

    def formatTime(self, record, datefmt=None):
        y, mo, d, h, mi, s, wd = _civil(record['created'])
        if datefmt:
            for code, value in (('%Y', '%04d' % y), ('%m', '%02d' % mo), ('%d', '%02d' % d), ('%H', '%02d' % h),
                                ('%M', '%02d' % mi), ('%S', '%02d' % s)):
                datefmt = datefmt.replace(code, value)
            return datefmt
        return '%04d-%02d-%02d %02d:%02d:%02d,%03d' % (y, mo, d, h, mi, s, record['msecs'])

    def format(self, record):
        record['asctime'] = self.formatTime(record, self.datefmt)
        if self._style == '{':
            return self._fmt.format(**record)
        return self._fmt % record


class Handler:
    def __init__(self, level=NOTSET):
        self.level = _level(level)
        self.formatter = None

    def setLevel(self, level):
        self.level = _level(level)

    def setFormatter(self, formatter):
        self.formatter = formatter

    def format(self, record):
        return (self.formatter or _default).format(record)

    def handle(self, record):
        if record['levelno'] >= self.level:
            self.emit(record)

    def emit(self, record):
        _write(2, self.format(record) + '\n')

    def flush(self):
        pass

    def close(self):
        pass


class StreamHandler(Handler):
    def __init__(self, stream=None):
        Handler.__init__(self)


class FileHandler(Handler):
    def __init__(self, filename, mode='a', encoding=None, delay=False):
        Handler.__init__(self)


_default = Formatter()


class Logger:
    def __init__(self, name, level=NOTSET):
        self.name = name
        self.level = _level(level)
        self.parent = None
        self.handlers = []
        self.propagate = True
        self.disabled = False

    def setLevel(self, level):
        self.level = _level(level)

    def getEffectiveLevel(self):
        logger = self
        while logger is not None:
            if logger.level:
                return logger.level
            logger = logger.parent
        return NOTSET

    def isEnabledFor(self, level):
        return level >= self.getEffectiveLevel()

    def addHandler(self, handler):
        if handler not in self.handlers:
            self.handlers.append(handler)

    def removeHandler(self, handler):
        if handler in self.handlers:
            self.handlers.remove(handler)

    def hasHandlers(self):
        return len(self.handlers) > 0

    def debug(self, msg, *args, **kwargs):
        self.log(DEBUG, msg, *args, **kwargs)

    def info(self, msg, *args, **kwargs):
        self.log(INFO, msg, *args, **kwargs)

    def warning(self, msg, *args, **kwargs):
        self.log(WARNING, msg, *args, **kwargs)

    warn = warning

    def error(self, msg, *args, **kwargs):
        self.log(ERROR, msg, *args, **kwargs)

    exception = error

    def critical(self, msg, *args, **kwargs):
        self.log(CRITICAL, msg, *args, **kwargs)

    fatal = critical

    def log(self, level, msg, *args, exc_info=None, stack_info=False, stacklevel=1, extra=None):
        if self.disabled or not self.isEnabledFor(level):
            return
        if len(args) == 1 and isinstance(args[0], dict) and args[0]:
            args = args[0]
        message = str(msg) % args if args else str(msg)
        filename, lineno, function = _caller()
        created = _now()
        record = {'name': self.name, 'msg': msg, 'args': args, 'levelname': getLevelName(level), 'levelno': level,
                  'message': message, 'created': created / 1000000, 'msecs': created // 1000 % 1000,
                  'relativeCreated': created / 1000, 'filename': filename, 'pathname': filename,
                  'module': filename[:-3] if filename.endswith('.py') else filename, 'lineno': lineno,
                  'funcName': function, 'threadName': _thread()[1], 'thread': 1, 'process': 1,
                  'processName': 'MainProcess'}
        if extra:
            record.update(extra)
        logger = self
        handled = False
        while logger is not None:
            for handler in logger.handlers:
                handled = True
                handler.handle(record)
            if not logger.propagate:
                break
            logger = logger.parent
        if not handled and level >= WARNING:
            _write(2, message + '\n')


root = Logger('root', WARNING)
_loggers = {}


def getLogger(name=None):
    if not name or name == 'root':
        return root
    if name not in _loggers:
        logger = Logger(name)
        logger.parent = root
        _loggers[name] = logger
    return _loggers[name]


def basicConfig(level=None, format=None, datefmt=None, style='%', stream=None, filename=None, filemode='a',
                handlers=None, force=False, encoding=None):
    if root.handlers and not force:
        return
    root.handlers = []
    if handlers is None:
        handlers = [FileHandler(filename) if filename else StreamHandler(stream)]
    for handler in handlers:
        if handler.formatter is None:
            handler.setFormatter(Formatter(format or BASIC_FORMAT, datefmt, style))
        root.addHandler(handler)
    if level is not None:
        root.setLevel(level)


def _root(level, msg, args, kwargs):
    if not root.handlers:
        basicConfig()
    root.log(level, msg, *args, **kwargs)


def debug(msg, *args, **kwargs):
    _root(DEBUG, msg, args, kwargs)


def info(msg, *args, **kwargs):
    _root(INFO, msg, args, kwargs)


def warning(msg, *args, **kwargs):
    _root(WARNING, msg, args, kwargs)


warn = warning


def error(msg, *args, **kwargs):
    _root(ERROR, msg, args, kwargs)


exception = error


def critical(msg, *args, **kwargs):
    _root(CRITICAL, msg, args, kwargs)


fatal = critical


def log(level, msg, *args, **kwargs):
    _root(level, msg, args, kwargs)
