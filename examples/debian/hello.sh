#!/bin/sh
echo "Hello from $(uname -m) Linux in your browser"
