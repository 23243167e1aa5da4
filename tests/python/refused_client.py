import socket

def connect(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.connect((host, port))
    return s

print('Connecting...')
sock = connect('server', 9999)
print('never printed')
