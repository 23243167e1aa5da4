# A telnet-like client: prints every line the server sends until it hangs up.
import sys
from socket import *

host = sys.argv[1] if len(sys.argv) > 1 else 'server'
s = socket(AF_INET, SOCK_STREAM)
s.connect((host, 12000))
print("Connected to %s." % host)
buffer = b''
while True:
    chunk = s.recv(4)
    if not chunk:
        break
    buffer += chunk
    while b'\n' in buffer:
        line, buffer = buffer.split(b'\n', 1)
        print(line.decode().rstrip('\r'))
print("Connection closed by foreign host.")
s.close()
