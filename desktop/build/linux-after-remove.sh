#!/bin/sh
# deb/rpm post-remove: drop the command-line link.
rm -f '/usr/bin/${executable}'
