# time: the network's virtual clock. The epoch is the start of the simulation (1970-01-01).
from _socksim import sleep, now as _now

_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']


def time():
    return _now() / 1000000


def monotonic():
    return _now() / 1000000


perf_counter = monotonic


def time_ns():
    return _now() * 1000


def _civil(seconds):
    # (year, month, day, hour, minute, second, weekday) of a count of seconds since 1970.
    days, rest = divmod(int(seconds), 86400)
    weekday = (days + 3) % 7
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return (year, month, day, rest // 3600, rest // 60 % 60, rest % 60, weekday)


def ctime(seconds=None):
    if seconds is None:
        seconds = time()
    y, mo, d, h, mi, s, wd = _civil(seconds)
    return '%s %s %2d %02d:%02d:%02d %d' % (_DAYS[wd], _MONTHS[mo - 1], d, h, mi, s, y)


asctime = ctime


def strftime(format, t=None):
    y, mo, d, h, mi, s, wd = _civil(time() if t is None else t)
    for code, value in (('%Y', '%04d' % y), ('%m', '%02d' % mo), ('%d', '%02d' % d), ('%H', '%02d' % h),
                        ('%M', '%02d' % mi), ('%S', '%02d' % s), ('%a', _DAYS[wd]), ('%b', _MONTHS[mo - 1]),
                        ('%%', '%')):
        format = format.replace(code, value)
    return format
