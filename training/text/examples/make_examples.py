"""Write handwritten_train.csv: our own labelled sentences (templates x targets x obfuscations).

The templates below were written by hand for Beffroi. They cover what the public data lacks: threats
against named people and elected officials, insults, sexual harassment, and the hard negatives (idioms,
negation, quoting to condemn, counter-speech, heated political criticism, sports, gaming, cooking).
The held-out threat set (../heldout/) was written separately with other names and phrasings.
Run: python make_examples.py  (deterministic, seed 13)
"""
from __future__ import annotations

import csv
import random
import re
import unicodedata
from pathlib import Path

from benign_templates import BENIGN_EN, BENIGN_FR
from context_calm import POST_CALM_EN, POST_CALM_FR
from context_calm2 import POST_CALM2_EN, POST_CALM2_FR
from context_threats import POST_THREAT_EN, POST_THREAT_FR
from context_threats2 import POST_THREAT2_EN, POST_THREAT2_FR
from more_templates import (
    DIRECT_EXTRA_EN,
    DIRECT_EXTRA_FR,
    GAMING_EN,
    GAMING_FR,
    IDIOM2_EN,
    IDIOM2_FR,
    IMPLICIT_EN,
    IMPLICIT_FR,
    INCITE_EN,
    INCITE_FR,
    LITERAL_EN,
    LITERAL_FR,
    NEWS_EN,
    NEWS_FR,
    POLITICS2_EN,
    POLITICS2_FR,
)

LABELS = ("toxicity", "insult", "hate", "threat", "sexual_harassment")
TARGETS_FR = ["le maire", "la députée", "Marc", "Sophie", "ce juge", "le conseiller municipal", "Dupont",
              "la ministre", "le prof", "Nadia", "ce journaliste", "l'adjointe au maire"]
# Targets a masculine pronoun can refer back to ("chez lui", "lynchez-le", "his car"): the rest are women.
NOT_FEMININE = {"le maire", "Marc", "ce juge", "le conseiller municipal", "Dupont", "le prof", "ce journaliste",
                "the mayor", "Mark", "that judge", "the councilman", "Johnson", "the minister", "the teacher",
                "that reporter", "the governor"}
MASCULINE_FR = re.compile(r"qu'il|s'il|, il |chez lui|-le\b|on le |et le |lynché|\bseul\b")
MASCULINE_EN = re.compile(r"\b(he|his|him)\b")
# French articles contract after "de" and "à": "la maison de le maire" is "la maison du maire".
CONTRACTIONS = ((re.compile(r"\bde le "), "du "), (re.compile(r"\bà le "), "au "),
                (re.compile(r"\bde les "), "des "), (re.compile(r"\bà les "), "aux "))
TARGETS_EN = ["the mayor", "the congresswoman", "Mark", "Susan", "that judge", "the councilman", "Johnson",
              "the minister", "the teacher", "Aisha", "that reporter", "the governor"]

THREAT_FR = [
    "je vais tuer {t}", "on va couper la tête de {t}", "je vais buter {t}", "on va crever {t}",
    "quelqu'un devrait égorger {t}", "il faut pendre {t} sur la place publique", "je vais planter {t} au couteau",
    "on va brûler la maison de {t}", "je vais mettre une balle dans la tête de {t}", "{t} va finir dans un cercueil",
    "on sait où habite {t}, on va lui rendre visite avec des battes", "je vais défoncer {t} à la sortie",
    "tuez {t}, il le mérite", "je vais faire sauter la voiture de {t}", "{t} ne passera pas la semaine, je m'en occupe",
    "on va écraser la tête de {t} à coups de pied", "je vais étrangler {t} de mes mains",
    "qu'on égorge {t} et toute sa famille", "{t}, je vais te trouver et te saigner",
    "une balle pour {t}, c'est tout ce qu'il mérite", "je vais casser les jambes de {t}",
    "on attend {t} devant la mairie ce soir pour lui régler son compte", "{t} mérite une balle, je m'en charge",
]
THREAT_FR_2P = [
    "je vais te tuer", "je vais te buter", "on va te couper la tête", "je vais te crever sale merde",
    "t'es mort ce soir", "je sais où tu habites, fais gaffe", "je vais t'égorger", "on va te retrouver et te défoncer",
    "je vais te planter", "tu vas finir à la morgue", "je vais te fumer", "je te tue si je te croise",
    "je vais brûler ta maison avec toi dedans", "on va te faire la peau", "je vais te démonter la gueule",
    "attends que je te chope, tu vas saigner", "je vais te casser les dents", "tu verras plus jamais le jour",
]
THREAT_EN = [
    "i'm going to kill {t}", "someone should shoot {t}", "we will cut off {t}'s head", "i will stab {t}",
    "{t} deserves a bullet and i'll deliver it", "let's burn down {t}'s house", "i'm going to strangle {t}",
    "hang {t} from a tree", "{t} won't live to see next week", "i'll put {t} in the ground",
    "we know where {t} lives, we're coming with bats", "somebody needs to slit {t}'s throat",
    "i will blow up {t}'s car", "i'm going to beat {t} to death", "kill {t} and his whole family",
    "{t} will end up in a coffin", "i'll break {t}'s legs", "wait for {t} outside city hall and finish him",
]
THREAT_EN_2P = [
    "i'm going to kill you", "you're dead", "i know where you live, watch your back", "i will find you and hurt you",
    "i'll slit your throat", "i'm going to shoot you", "i'll burn your house down with you inside",
    "you won't survive the week", "i'll beat the life out of you", "i'm gonna stab you", "you'll be six feet under",
    "i'll smash your skull in",
]
SMS_THREATS_FR = [
    "jvais te buter", "jte bute", "j vai te tuer", "jvai te crevé", "jte nique ta race jvais te tuer",
    "tkt on va te fumer", "jvais t'égorgé", "jvais lui coupé la tete", "on va te niké ta mère et te tuer",
    "jte retrouve jte plante", "jvai te defoncer a la sortie", "t mort", "jvais te faire la peau",
]
SMS_THREATS_EN = ["ima kill u", "imma shoot u", "u dead", "gonna stab u bro", "ur dead when i find u",
                  "i'll k1ll u", "gon slit ur throat"]

IDIOM_FR = [
    "je tue le temps en lisant", "on coupe la poire en deux ?", "il m'a tué avec sa blague",
    "on va écraser l'adversaire aux élections", "je suis mort de rire", "ce boulot me tue",
    "ce film m'a achevé, trop drôle", "j'ai fait un carton au tir à l'arc", "on va les massacrer au foot samedi",
    "j'ai coupé la tête du poisson avant de le cuire", "il faut égorger le poulet puis le plumer, disait ma grand-mère",
    "coupez la tête des crevettes et gardez les queues", "le chef découpe l'agneau au couteau",
    "je l'ai tué en un coup au jeu, trop facile", "j'ai buté tous les zombies du niveau 3",
    "ce prof va me tuer avec ses devoirs", "tu me tues, arrête de me faire rire", "ça m'a tuée cette randonnée",
    "on va les exploser en finale", "ma sœur a tué le game avec sa robe", "la chaleur m'achève",
    "couper les ponts avec lui a été la meilleure décision", "je vais me faire la peau de ce sudoku",
    "il a défoncé la porte ouverte", "le candidat s'est fait laminer au débat", "c'est une tuerie ce gâteau",
    "je mourrais pour une pizza là", "on a explosé le record de ventes", "elle a flingué son budget en soldes",
    "il faut tuer le projet de loi au sénat", "attaquer le problème à la racine", "les prix vont nous tuer",
    "je te tue au ping-pong quand tu veux", "tirer sur l'ambulance, c'est facile",
]
IDIOM_EN = [
    "i'm killing time at the airport", "you killed it on stage", "i'm dying of laughter", "break a leg tonight",
    "we'll crush them in the election", "this homework is killing me", "we destroyed them in the final",
    "cut the head off the fish before grilling", "i shot him in the game, easy headshot",
    "my boss will kill me if i'm late again", "that joke killed me", "we're going to slaughter them on the pitch",
    "she nailed the interview", "let's kill this bill in committee", "i could murder a burger right now",
    "the heat is killing me", "that comedian bombed last night", "take a stab at the question",
    "he got destroyed in the debate", "debone the chicken and cut off the head",
]
NEGATION_FR = [
    "je ne vais pas tuer {t}, je vais voter contre", "personne ne veut faire de mal à {t}",
    "je n'ai jamais menacé {t}", "il ne faut surtout pas s'en prendre physiquement à {t}",
    "je ne toucherai jamais à {t}, la violence n'est pas une solution", "non, on ne va pas brûler la maison de {t}, on va manifester",
    "je ne vais pas le tuer, calme-toi", "je ne souhaite la mort de personne, même pas de {t}",
]
NEGATION_EN = [
    "i'm not going to hurt {t}, i'm going to vote", "nobody should threaten {t}", "i would never harm {t}",
    "we won't burn anything, we'll protest peacefully against {t}", "i don't want {t} dead, i want {t} out of office",
]
QUOTE_FR = [
    "quelqu'un a écrit « je vais tuer {t} », c'est inadmissible, j'ai porté plainte",
    "menacer {t} de lui couper la tête est un délit, signalez ces messages",
    "les messages disant qu'il faut égorger {t} sont ignobles, soutien total",
    "{t} a reçu des menaces de mort, nous condamnons fermement",
    "« on va te buter » : voilà ce que reçoit {t} chaque jour. ça doit cesser",
    "le tribunal a condamné l'homme qui voulait tuer {t}",
    "dire que les immigrés sont des parasites est raciste, ça suffit",
    "traiter les musulmans de terroristes est de la haine, point",
    "les juifs ne contrôlent rien, arrêtez avec ces théories antisémites",
    "« sale arabe », c'est ce qu'il a crié ; il a été condamné pour injure raciste",
    "les homosexuels ne sont pas des malades, ceux qui disent ça devraient s'informer",
    "les femmes ne sont pas inférieures, ce tweet sexiste est honteux",
    "non, les noirs ne sont pas des sauvages, ce genre de propos est dégueulasse",
]
QUOTE_EN = [
    "someone wrote 'i'm going to kill {t}', that's disgusting and i reported it",
    "threatening {t} is a crime, report those posts", "{t} received death threats, we stand with them",
    "the man who threatened to shoot {t} was arrested", "calling immigrants vermin is racist, stop it",
    "no, muslims are not terrorists, this kind of hate has to stop", "women are not inferior, that tweet is sexist garbage",
    "saying gay people are sick is bigotry, educate yourself",
]
POLITICS_FR = [
    "ce maire détruit la ville, votez contre lui", "{t} est incompétent, qu'il démissionne",
    "la politique de {t} est une honte, dehors aux prochaines élections", "{t} ment depuis des années, on le virera dans les urnes",
    "cette réforme est un massacre social, mobilisons-nous", "{t} a ruiné nos finances, il faut le sanctionner au vote",
    "honte à {t} pour ce budget catastrophique", "{t} doit rendre des comptes devant la justice",
    "on va faire tomber ce gouvernement par la grève", "{t} est un menteur et un incapable, votez blanc ou contre",
    "le bilan de {t} est désastreux, il faut le dégager en 2026", "manifestation samedi contre le projet de {t}",
]
POLITICS_EN = [
    "the mayor is wrecking this city, vote him out", "{t} is a disgrace and should resign",
    "{t}'s policies are destroying us, we'll beat them at the ballot box", "{t} lied to us, impeach now",
    "this budget is a massacre for schools, protest on saturday", "{t} is incompetent and corrupt, vote against",
]
INSULT_FR = ["t'es qu'un connard", "espèce d'abruti", "ferme ta gueule sale con", "t'es une grosse merde",
             "{t} est un gros débile", "pauvre idiote, retourne dormir", "t'es vraiment un bouffon", "quelle conasse celle-là",
             "va te faire foutre crétin", "t'es moche et bête", "{t} c'est un clown et un guignol",
             "sale bâtard", "t'es un déchet"]
INSULT_EN = ["you're a fucking idiot", "shut up you moron", "{t} is a brainless clown", "what a pathetic loser",
             "you stupid bitch", "go to hell you asshole", "you're worthless trash", "dumbass"]
SEXHAR_FR = ["envoie-moi des nudes ou je les montre à tout le monde", "t'as un beau cul, viens chez moi ce soir",
             "je vais te violer", "montre tes seins salope", "{t} je veux te baiser, réponds", "suce-moi et tais-toi",
             "on va faire tourner tes photos à poil", "t'es bonne, je te suis jusqu'à chez toi",
             "mets une jupe plus courte demain que je te mate", "je vais t'enculer"]
SEXHAR_EN = ["send me nudes or i'll share your pics", "nice ass, come to my place tonight", "show me your tits",
             "i want to fuck you {t}, answer me", "i'll rape you", "suck my dick and shut up",
             "i'll leak your naked photos"]
SEXHAR_NEG = ["le harcèlement sexuel est un délit puni par la loi", "sexual harassment is never okay, report it",
              "elle a porté plainte pour harcèlement, soutien à elle", "on organise une formation sur le consentement",
              "consent matters, always ask first", "il a été condamné pour viol, justice est faite"]
NEUTRAL_FR = ["le conseil municipal se réunit jeudi à 18h", "merci {t} pour l'inauguration de la médiathèque",
              "qui vient au marché demain ?", "la piscine rouvre lundi", "super concert hier soir",
              "{t} a présenté le budget, débat intéressant", "je ne suis pas d'accord avec {t} sur les transports"]
NEUTRAL_EN = ["the council meets on thursday", "thanks {t} for opening the library", "great game last night",
              "i disagree with {t} on transport policy", "anyone going to the market tomorrow?"]


def strip_accents(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def leet(s: str, rng: random.Random) -> str:
    table = {"e": "3", "a": "4", "o": "0", "i": "1", "t": "7", "s": "5"}
    return "".join(table[c] if c in table and rng.random() < 0.5 else c for c in s)


def spaced(s: str, rng: random.Random) -> str:
    words = s.split()
    i = max(range(len(words)), key=lambda j: len(words[j]) if words[j].isalpha() else 0)
    words[i] = rng.choice([" ", ".", "-"]).join(words[i])
    return " ".join(words)


def emojify(s: str, rng: random.Random) -> str:
    return s + " " + rng.choice(["🔪", "🔪🔪", "🔫", "💀", "⚰️", "🪓🩸", "🔪💀"])


def obfuscate(s: str, rng: random.Random, weapons: bool = True) -> str:
    """A disguised spelling of s; weapons=False for non-threats, which must not learn that a 🔪 is harmless."""
    fns = [strip_accents, lambda x: leet(x, rng), lambda x: spaced(x, rng), str.upper,
           lambda x: strip_accents(x).replace("qu", "k")]
    if weapons:
        fns.append(lambda x: emojify(x, rng))
    return rng.choice(fns)(s)  # type: ignore[operator]


def fill(templates: list[str], targets: list[str], rng: random.Random, per: int) -> list[str]:
    out = []
    for tpl in templates:
        pool = targets
        if MASCULINE_FR.search(tpl) or MASCULINE_EN.search(tpl):
            pool = [t for t in targets if t in NOT_FEMININE]
        picks = rng.sample(pool, min(per, len(pool))) if "{t}" in tpl else [""]
        for t in picks:
            text = tpl.replace("{t}", t)
            for pattern, contracted in CONTRACTIONS:
                text = pattern.sub(contracted, text)
            out.append(text)
    return out


def sentence(s: str) -> str:
    s = s.strip()
    s = s[:1].upper() + s[1:]
    return s if s[-1:] in (".", "!", "?", "…") else s + "."


def posts(rows: list[dict[str, str | int]], context: dict[str, list[str]], rng: random.Random,
          count: int) -> list[dict[str, str | int]]:
    """Posts of two sentences: a threat or a calm sentence with an everyday sentence before or after it.

    Every other example is one sentence, and a model trained on them alone let the harmless half of a real post
    outweigh the threat in it ("Je vais te planter, Théo." 0.98; with "Devant tout le monde au lycée, lundi."
    after it, 0.38). A threat stays a threat beside a harmless sentence; a calm one (idiom, game, negation,
    condemnation, politics) stays calm. As many calm posts as threatening ones, so length is no cue."""
    out: list[dict[str, str | int]] = []
    for lang in ("fr", "en"):
        threats = [str(r["text"]) for r in rows if r["lang"] == lang and r["threat"] and not r["sexual_harassment"]]
        calm = [str(r["text"]) for r in rows if r["lang"] == lang and not any(r[k] for k in LABELS)]
        for pool, labels in ((threats, {"toxicity": 1, "threat": 1}), (calm, {})):
            for text in rng.sample(pool, count if lang == "fr" else count * 3 // 4):
                pair = [sentence(text), sentence(rng.choice(context[lang]))]
                if rng.random() < 0.5:
                    pair.reverse()
                out.append(row(" ".join(pair), lang, **labels))
    return out


def row(text: str, lang: str, **labels: int) -> dict[str, str | int]:
    return {"text": text, "lang": lang, **{k: labels.get(k, 0) for k in LABELS}}


def threats(texts: list[str], lang: str, rng: random.Random) -> list[dict[str, str | int]]:
    """Each threat as written and once disguised (weapon emoji allowed)."""
    return [r for s in texts for r in (row(s, lang, toxicity=1, threat=1),
                                        row(obfuscate(s, rng), lang, toxicity=1, threat=1))]


def calm(texts: list[str], lang: str, rng: random.Random) -> list[dict[str, str | int]]:
    """Each harmless sentence as written, and half of them disguised (never with a weapon emoji)."""
    out = []
    for s in texts:
        out.append(row(s, lang))
        if rng.random() < 0.5:
            out.append(row(obfuscate(s, rng, weapons=False), lang))
    return out


def main() -> None:
    rng = random.Random(13)
    rows: list[dict[str, str | int]] = []
    targets = {"fr": TARGETS_FR, "en": TARGETS_EN}
    for lang, threat, threat2, sms in (("fr", THREAT_FR, THREAT_FR_2P, SMS_THREATS_FR),
                                       ("en", THREAT_EN, THREAT_EN_2P, SMS_THREATS_EN)):
        rows += threats(fill(threat, targets[lang], rng, 4) + threat2 + sms, lang, rng)
    hard_neg = [("fr", IDIOM_FR, 1), ("en", IDIOM_EN, 1), ("fr", NEGATION_FR, 4), ("en", NEGATION_EN, 4),
                ("fr", QUOTE_FR, 3), ("en", QUOTE_EN, 3), ("fr", POLITICS_FR, 4), ("en", POLITICS_EN, 4),
                ("fr", NEUTRAL_FR, 3), ("en", NEUTRAL_EN, 3), ("fr", SEXHAR_NEG, 1)]
    for lang, templates, per in hard_neg:
        rows += calm(fill(templates, targets[lang], rng, per), lang, rng)
    for lang, templates in (("fr", INSULT_FR), ("en", INSULT_EN)):
        for s in fill(templates, targets[lang], rng, 3):
            rows.append(row(s, lang, toxicity=1, insult=1))
            rows.append(row(obfuscate(s, rng, weapons=False), lang, toxicity=1, insult=1))
    for lang, templates in (("fr", SEXHAR_FR), ("en", SEXHAR_EN)):
        for s in fill(templates, targets[lang], rng, 3):
            is_threat = int(any(w in s for w in ("violer", "rape")))
            rows.append(row(s, lang, toxicity=1, sexual_harassment=1, threat=is_threat))
            disguised = obfuscate(s, rng, weapons=bool(is_threat))
            rows.append(row(disguised, lang, toxicity=1, sexual_harassment=1, threat=is_threat))
    # Added 2026-12-03 (more_templates.py): incitement, veiled threats without a violent verb, more direct
    # threats, and the hard negatives that share their words (games, idioms, literal uses, news, politics).
    for lang, templates in (("fr", INCITE_FR + IMPLICIT_FR + DIRECT_EXTRA_FR),
                            ("en", INCITE_EN + IMPLICIT_EN + DIRECT_EXTRA_EN)):
        rows += threats(fill(templates, targets[lang], rng, 2), lang, rng)
    for lang, templates in (("fr", GAMING_FR + IDIOM2_FR + LITERAL_FR + NEWS_FR + POLITICS2_FR),
                            ("en", GAMING_EN + IDIOM2_EN + LITERAL_EN + NEWS_EN + POLITICS2_EN)):
        rows += calm(fill(templates, targets[lang], rng, 2), lang, rng)
    # Everyday posts that name the same targets (agenda, thanks, questions, polite disagreement): without them
    # a model trained on the threat templates learns that naming "le maire" is itself a threat (it did:
    # 19 of the 40 posts of ../heldout/benign_mentions.csv flagged, 2026-12-03).
    context: dict[str, list[str]] = {}
    for lang, templates in (("fr", BENIGN_FR), ("en", BENIGN_EN)):
        context[lang] = fill(templates, targets[lang], rng, 4)
        rows += calm(context[lang], lang, rng)
    rows.extend(posts(rows, context, rng, 500))
    # Whole posts of two or three sentences written as such (2026-12-03, context_threats.py, context_calm.py):
    # veiled threats and incitement inside a longer post, and calm posts whose violent words are negated,
    # reported, idiomatic or political. posts() only joins a sentence to an unrelated one.
    for lang, threat_posts, calm_posts in (("fr", POST_THREAT_FR, POST_CALM_FR), ("en", POST_THREAT_EN, POST_CALM_EN)):
        rows += threats(fill(threat_posts, targets[lang], rng, 2), lang, rng)
        rows += calm(fill(calm_posts, targets[lang], rng, 2), lang, rng)
    write(rows, "handwritten_train.csv")
    # Added 2026-12-04 (context_threats2.py, context_calm2.py), written to a file of their own, after every row
    # above, so that handwritten_train.csv and its train/dev split stay exactly as the shipped model saw them:
    # incitement against groups and neighbours, direct threats with no weapon word, veiled threats; and calm posts
    # of gaming talk, idioms, quoted reports, literal uses, lawful political anger, self-defence and first aid.
    posts2: list[dict[str, str | int]] = []
    for lang, threat_posts, calm_posts in (("fr", POST_THREAT2_FR, POST_CALM2_FR),
                                           ("en", POST_THREAT2_EN, POST_CALM2_EN)):
        posts2 += threats(fill(threat_posts, targets[lang], rng, 2), lang, rng)
        posts2 += calm(fill(calm_posts, targets[lang], rng, 2), lang, rng)
    write(posts2, "handwritten_posts2.csv")


def write(rows: list[dict[str, str | int]], name: str) -> None:
    out = Path(__file__).with_name(name)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["text", "lang", *LABELS])
        w.writeheader()
        w.writerows(rows)
    print(len(rows), "rows ->", out)


if __name__ == "__main__":
    main()
