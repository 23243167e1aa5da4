import socket
import sys
import time

def logged(function):
    def wrapper(*args):
        print('calling', function.__name__)
        return function(*args)
    return wrapper

@logged
def serve(s):
    conn, addr = s.accept()
    print('server side', conn.getsockname(), 'peer', conn.getpeername() == addr)
    conn.sendall(b'first')
    conn = None          # freed without close(): closed, as CPython does
    print('dropped the connection')
    time.sleep(1)

s = socket.socket()
s.bind(('', 4000))
s.listen(1)
print('bound to', s.getsockname())
serve(s)
s.setblocking(False)
try:
    s.accept()
except BlockingIOError as e:
    print('no one waiting:', e)
line = sys.stdin.readline()
print('read %r' % line)
