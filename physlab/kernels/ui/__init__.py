"""The Kernels lab's Qt views (the only part of the lab that imports Qt)."""
