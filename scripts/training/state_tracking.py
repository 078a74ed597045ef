"""Synthetic state-tracking tasks: the label at every position is the state of a finite automaton
after reading the prefix. Inputs and labels share one vocabulary of group elements.

  s3      the symmetric group S3 (6 elements, non-abelian): x_t uniform in S3, y_t = x_1 x_2 ... x_t
  parity  Z2: x_t in {0, 1}, y_t = x_1 xor ... xor x_t
  z5      Z5: x_t in {0..4}, y_t = (x_1 + ... + x_t) mod 5
"""
import itertools

import torch


def _s3_table():
    perms = list(itertools.permutations(range(3)))
    index = {p: i for i, p in enumerate(perms)}
    # (p * q)(i) = q(p(i)): apply p first, then q (the running product reads left to right).
    return [[index[tuple(q[p[i]] for i in range(3))] for q in perms] for p in perms]


def table(task):
    if task == "s3":
        return torch.tensor(_s3_table())
    if task == "parity":
        return torch.tensor([[0, 1], [1, 0]])
    if task == "z5":
        return torch.tensor([[(i + j) % 5 for j in range(5)] for i in range(5)])
    raise ValueError(f"unknown task {task}")


class StateTracking:
    def __init__(self, task, device="cpu"):
        self.task = task
        self.mul = table(task).to(device)
        self.vocab = self.mul.shape[0]
        self.device = device

    def labels(self, x):
        """x [B, L] -> running products [B, L] (an inclusive Hillis-Steele scan over the table)."""
        y = x
        k = 1
        while k < x.shape[1]:
            y = torch.cat([y[:, :k], self.mul[y[:, :-k], y[:, k:]]], dim=1)
            k *= 2
        return y

    def labels_sequential(self, x):
        """The same, one position at a time (the reference for labels)."""
        y = torch.empty_like(x)
        acc = x[:, 0]
        y[:, 0] = acc
        for t in range(1, x.shape[1]):
            acc = self.mul[acc, x[:, t]]
            y[:, t] = acc
        return y

    def batch(self, batch, length, generator=None):
        x = torch.randint(0, self.vocab, (batch, length), generator=generator, device=self.device)
        return x, self.labels(x)
