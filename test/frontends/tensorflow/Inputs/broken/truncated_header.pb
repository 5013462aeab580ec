
@
inputPlaceholder*
dtype0*
shape:ÿÿÿÿÿÿÿÿÿ
ê€1
/sequential/dense/MatMul/Read