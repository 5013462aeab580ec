func.func @f() {
  %0 = kiln.add
}
