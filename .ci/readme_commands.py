"""Print the README's set-up commands, one per line: the fenced code blocks of the
"## Set up" section, in order (CI runs them literally; see .ci/run)."""
import sys
from pathlib import Path


def setup_commands(text: str) -> list[str]:
    section = text.split("\n## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    return [" ".join(block.split()) for block in blocks]


if __name__ == "__main__":
    for command in setup_commands(Path(sys.argv[1]).read_text(encoding="utf-8")):
        print(command)
