"""Names the knowledge base does not know but users ask about: places, leaders, bodies, sports.

When one of these appears in a question and nowhere in the knowledge base, it weighs more
than an ordinary unknown word: "China's policy toward Japan" must not be answered with
"China's policy toward the United States" just because three of its four words match.
"""

from __future__ import annotations

_NAMES = """
afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan
bahamas bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia
botswana brazil brunei bulgaria burkina burundi cambodia cameroon canada chad chile colombia
comoros congo costa croatia cuba cyprus czech czechia denmark djibouti dominica ecuador egypt
salvador eritrea estonia eswatini ethiopia fiji finland france gabon gambia georgia germany
ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india indonesia
iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya kiribati korea kosovo
kuwait kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg
madagascar malawi malaysia maldives mali malta mauritania mauritius mexico micronesia moldova
monaco mongolia montenegro morocco mozambique myanmar burma namibia nauru nepal netherlands
holland zealand nicaragua niger nigeria macedonia norway oman pakistan palau palestine gaza
panama paraguay peru philippines poland portugal qatar romania russia rwanda samoa marino
saudi senegal serbia seychelles sierra singapore slovakia slovenia solomon somalia sudan spain
lanka suriname sweden switzerland syria tajikistan tanzania thailand togo tonga trinidad tunisia
turkey turkiye turkmenistan tuvalu uganda ukraine emirates uae britain uk england scotland wales
uruguay uzbekistan vanuatu vatican venezuela vietnam yemen zambia zimbabwe tibet xinjiang
hongkong macau macao kashmir crimea donbas
europe european asia asian africa african arctic antarctica oceania caribbean balkans
russian ukrainian japanese indian korean german french british italian spanish canadian
mexican brazilian australian iranian israeli palestinian turkish saudi pakistani vietnamese
filipino taiwanese tibetan uyghur uighur
eu nato asean un wto who imf g7 g20 brics opec sco apec quad aukus
biden trump putin zelensky zelenskyy modi kishida ishiba abe macron scholz merz sunak starmer
johnson harris blinken rubio vance sullivan yellen netanyahu erdogan lula yoon lee trudeau
carney albanese orban meloni kim jong-un guterres obama bush clinton pompeo pelosi
tsai lai ching-te ma ying-jeou
football soccer basketball baseball cricket tennis golf olympics olympic nba nfl fifa
weather forecast rain snow temperature recipe recipes cooking movie movies music song
bitcoin crypto stock stocks
tariff tariffs trade economy economic gdp inflation military army navy drills exercises
nuclear missile missiles weapons arms chips chip semiconductor semiconductors export
exports tiktok huawei covid pandemic virus election elections espionage spy spying balloon
hacking cyber cyberattack visa visas hong kong xinjiang tibet uyghurs
"""

GAZETTEER = frozenset(_NAMES.split())

PLACE_NAMES = frozenset({"united states", "china", "european union", "united kingdom", "russia"})
"""Canonical place names a knowledge base's alias table may map to (see knowledge/aliases.yaml)."""

HAN_NAMES = frozenset(
    """
    日本 俄罗斯 俄国 印度 欧盟 欧洲 英国 法国 德国 朝鲜 韩国 乌克兰 以色列 伊朗 越南 菲律宾
    澳大利亚 加拿大 墨西哥 巴西 普京 拜登 特朗普 川普 莫迪 泽连斯基 北约 联合国 世贸
    关税 贸易战 经济 军事 南海 香港 新疆 西藏 芯片 半导体 天气 足球 篮球
    """.split()
)
"""Names in Han script: matched as substrings, since Chinese is not split into words."""
