#!/bin/sh
# The example's "application".
if [ "$1" = "--self-test" ]; then echo "self-test ok"; exit 0; fi
echo "hello from stagecraft's example"
