# A Python 2 client, as old course slides have it
import socket, sys

HOST = 'server'
PORT = 12000
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect((HOST, PORT))
except socket.error, e:
    print "Cannot connect:", e
    sys.exit(1)
line = raw_input('Line: ')
s.send(line)
reply = s.recv(1024)
print 'Got', len(reply), 'bytes:', reply
print "%d / %d = %d" % (7, 2, 7 / 2)
s.close()
