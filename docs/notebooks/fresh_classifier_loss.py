# %% [markdown]
# # Why a fresh classifier starts at ln 2
#
# Markdown text.

# %%
import torch
print(torch.log(torch.tensor(2.0)))
