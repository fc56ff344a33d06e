"""Prints a .nn model: N equal dense(64, relu) layers, softmax, Adam.
   dense-stack.py N"""
import sys

n = int(sys.argv[1])
layers = "".join("    dense(64, activation: relu)\n" for _ in range(n))
print("model deep(x: f32[32]) {\n" + layers +
      "    dense(10, activation: softmax)\n}\n"
      "train deep {\n    loss: categorical_crossentropy\n"
      "    optimizer: adam(learning_rate: 0.001)\n    batch: 32, epochs: 1\n}")
