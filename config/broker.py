"""The folder broker of `make run`: kombu's filesystem transport, with each message written
atomically.

kombu's own `_put` creates the message file and then writes it, so a worker polling the same
folder can move and read the file in between, get an empty payload and crash (seen in CI:
JSONDecodeError in `_get`, worker stopped). Here the message is written under a name the
reader ignores and renamed into place once complete: a reader sees a whole message or none.
Registered as the `rosterfs://` transport in config/celery.py.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # A leading dot: `_get` keeps only "<stamp>.<queue>.msg" names, so it never picks this up.
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb", buffering=0) as f:
                f.write(str_to_bytes(dumps(payload)))
                os.fsync(f.fileno())
            os.replace(partial, final)
        except OSError as exc:
            try:
                os.unlink(partial)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
