"""Looking at many images at once: the X/Y grid's plan (grid), its picture (compose) and the
contact sheet of any folder of saved images (sheet). Pillow and Jinja2 are imported where used."""
