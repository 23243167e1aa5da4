import socket
c = socket.create_connection(('server', 4000))
print('client', c.getsockname()[0])
while True:
    data = c.recv(100)
    print('got', data)
    if not data:
        break
