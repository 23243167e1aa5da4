import socket
import time

s = socket.create_connection(('server', 9000))
for word in ['hello', 'socket', 'quit']:
    s.sendall(word.encode() + b'\n')
    time.sleep(0.5)
    if word != 'quit':
        print(s.recv(100))
s.close()
