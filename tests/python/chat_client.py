import sys
import time
import socket

me = socket.gethostname()
pause = float(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.connect((socket.gethostbyname('server'), 8000))
for i in range(2):
    s.send(f'{me} says hi #{i}'.encode())
    print(s.recv(1024).decode())
    time.sleep(pause)
s.close()
print(me, 'done')
