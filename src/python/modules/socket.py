# socket: Python's socket module, as far as socksim simulates it.
from _socksim import socket, gethostbyname, gethostname, gaierror

AF_INET = 2
AF_INET6 = 10
SOCK_STREAM = 1
SOCK_DGRAM = 2
SOL_SOCKET = 1
SO_REUSEADDR = 2
SO_BROADCAST = 6
SO_REUSEPORT = 15
IPPROTO_TCP = 6
IPPROTO_UDP = 17
TCP_NODELAY = 1
SHUT_RD = 0
SHUT_WR = 1
SHUT_RDWR = 2
SOMAXCONN = 4096
INADDR_ANY = 0

error = OSError
timeout = TimeoutError
herror = OSError


def getfqdn(name=''):
    return name or gethostname()


def create_connection(address, timeout=None, source_address=None):
    s = socket(AF_INET, SOCK_STREAM)
    if timeout is not None:
        s.settimeout(timeout)
    if source_address is not None:
        s.bind(source_address)
    s.connect(address)
    return s
