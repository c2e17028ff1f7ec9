"""特种设备安全监察: the register, periodic inspections, field checks, orders and the public
tag check."""
