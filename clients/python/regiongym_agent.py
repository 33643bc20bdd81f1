"""A dependency-free client for regiongym's agent protocol (clients/PROTOCOL.md, regiongym-agent/1).

Subclass Agent, implement act(), and call run(MyAgent()) at the bottom of your script; regiongym runs it
with  --agents "exec:python3 my_agent.py".  Tensors arrive as Tensor objects: .shape, and .values, a
flat array.array of the row-major data ('f' float32, 'i' int32, 'B' uint8).
"""
import array
import base64
import json
import sys

PROTOCOL = "regiongym-agent/1"
_TYPECODES = {"float32": "f", "int32": "i", "uint8": "B"}


class Tensor:
    def __init__(self, wire):
        self.shape = list(wire["shape"])
        self.values = array.array(_TYPECODES[wire["dtype"]])
        self.values.frombytes(base64.b64decode(wire["data"]))
        if sys.byteorder != "little" and self.values.itemsize > 1:
            self.values.byteswap()


class Agent:
    """What regiongym asks of an agent. `needs`: per-candidate statistics to receive in info['candidates']."""

    name = "python-agent"
    needs = []
    baseline = True

    def act(self, obs, info, seed):
        """One candidate index in [0, N) per pool, never a masked one. obs: state, pools, actionMask (Tensors)."""
        raise NotImplementedError


def _decode(message):
    obs = {k: Tensor(v) for k, v in message["obs"].items()}
    info = dict(message["info"])
    info["candidates"] = {k: Tensor(v) for k, v in info["candidates"].items()}
    info["candidateIds"] = Tensor(info["candidateIds"])
    return obs, info


def run(agent):
    """Serve `agent` on stdin/stdout until regiongym says close (or closes the pipe)."""
    out = sys.stdout
    for line in sys.stdin:
        message = json.loads(line)
        kind = message.get("type")
        if kind == "hello":
            if message.get("protocol") != PROTOCOL:
                sys.exit(f"regiongym_agent: unsupported protocol {message.get('protocol')!r}, this client speaks {PROTOCOL}")
            reply = {"type": "hello", "name": agent.name, "needs": list(agent.needs), "baseline": bool(agent.baseline)}
        elif kind == "act":
            obs, info = _decode(message)
            reply = {"type": "action", "action": [int(a) for a in agent.act(obs, info, message["seed"])]}
        elif kind == "close":
            return
        else:
            sys.exit(f"regiongym_agent: unknown message type {kind!r}")
        out.write(json.dumps(reply) + "\n")
        out.flush()
