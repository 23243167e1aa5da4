from socket import *
import sys

s = socket(AF_INET, SOCK_STREAM)
s.connect(('server', 7000))
s.send(b'hi from ' + sys.argv[1].encode())
print(s.recv(1024).decode())
s.close()
