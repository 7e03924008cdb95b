# %% [markdown]
# # 为什么新分类器的损失从 ln 2 开始
#
# Markdown text.

# %%
import torch
print(torch.log(torch.tensor(2.0)))
