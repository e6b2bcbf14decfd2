#!/usr/bin/python3
"""A pymodbus 3.0 TCP server for PrepaidPower's interoperability tests.

Run with Debian's /usr/bin/python3 (python3-pymodbus); the python3 on PATH may not see pymodbus.
Binds 127.0.0.1 on a free port, prints "PORT <n>" once it accepts connections, and exits when stdin closes.
Unit 1 and unit 2 each have 200 holding registers, 200 input registers, 200 coils and 200 discrete inputs
(zero_mode=True: PDU address N is block index N). Unit 1: HR0-1 = 123456 as ABCD, HR2-3 = 123456 as CDAB,
IR0-3 = 10, 20, 30, 40; coils 0-7 = 1,0,1,1,0,0,1,1; discrete inputs 0-3 = 0,1,0,1. Unit 2: IR0 = 2000.
Other unit ids get no reply (pymodbus 3.0 with single=False), so a client sees a timeout.
"""
import asyncio
import os
import sys
import threading

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


def block(initial):
    values = list(initial) + [0] * (200 - len(initial))
    return ModbusSequentialDataBlock(0, values)


def unit(hr=(), ir=(), co=(), di=()):
    return ModbusSlaveContext(hr=block(hr), ir=block(ir), co=block(co), di=block(di), zero_mode=True)


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


async def main():
    units = {
        1: unit(hr=[0x0001, 0xE240, 0xE240, 0x0001], ir=[10, 20, 30, 40], co=[1, 0, 1, 1, 0, 0, 1, 1], di=[0, 1, 0, 1]),
        2: unit(ir=[2000]),
    }
    context = ModbusServerContext(slaves=units, single=False)
    server = await StartAsyncTcpServer(context=context, address=("127.0.0.1", 0), defer_start=True)
    serving = asyncio.ensure_future(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    await serving


if __name__ == "__main__":
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    asyncio.run(main())
