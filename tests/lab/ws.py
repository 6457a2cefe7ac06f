#!/usr/bin/env python3
"""A WebSocket upgrade answerer for the lab (stdlib only), behind nginx: answers 101 to a valid
upgrade on any path, then waits for the client's close."""
import asyncio, base64, hashlib, sys

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def handle(reader, writer):
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        key = None
        for line in head.decode("latin-1").split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                key = value.strip()
        if key is None:
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        else:
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            writer.write(
                ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
            await writer.drain()
            await asyncio.wait_for(reader.read(1024), 5)
        await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()


async def main(host, port):
    server = await asyncio.start_server(handle, host, port)
    async with server:
        await server.serve_forever()


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
