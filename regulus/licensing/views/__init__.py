"""Staff pages of 一件事一次办, one module a part of the work (as the services are split).
Thin: parse, call one service or selector, render."""
